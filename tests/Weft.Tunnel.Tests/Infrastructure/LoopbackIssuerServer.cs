using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Weft.Tunnel.Tests.Infrastructure;

/// <summary>
/// An HTTP server on 127.0.0.1 that answers every request with <see cref="Certificate"/> (DER, as AIA caIssuers URLs serve
/// them) and counts the requests: whether anything fetched from it, and how often.
/// </summary>
internal sealed class LoopbackIssuerServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task acceptLoop;
    private int requests;

    public LoopbackIssuerServer()
    {
        listener.Start();
        acceptLoop = AcceptAsync();
    }

    /// <summary>The certificate served (DER); set it before anything can fetch.</summary>
    public byte[] Certificate { get; set; } = [];

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/issuer.cer");

    /// <summary>Connections accepted: any fetch, whether or not it got as far as a whole request.</summary>
    public int Requests => Volatile.Read(ref requests);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await acceptLoop;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        listener.Dispose();
        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            using var client = await listener.AcceptTcpClientAsync(stop.Token);
            Interlocked.Increment(ref requests);
            try
            {
                var stream = client.GetStream();
                var head = new byte[4096];
                _ = await stream.ReadAsync(head, stop.Token);
                var body = Certificate;
                var response = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                    $"HTTP/1.1 200 OK\r\nContent-Type: application/pkix-cert\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
                await stream.WriteAsync(response, stop.Token);
                await stream.WriteAsync(body, stop.Token);
            }
            catch (IOException)
            {
            }
        }
    }
}
