using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Weft.Tunnel.Tests.Infrastructure;

/// <summary>
/// An HTTP server on 127.0.0.1 that answers every request with <see cref="Certificate"/> (DER, as AIA caIssuers URLs serve
/// them) and counts the requests: whether anything fetched from it, and how often.
/// </summary>
internal sealed class LoopbackIssuerServer : LoopbackTcpServer
{
    private int requests;

    public LoopbackIssuerServer() => Start();

    /// <summary>The certificate served (DER); set it before anything can fetch.</summary>
    public byte[] Certificate { get; set; } = [];

    public Uri Url => new($"http://127.0.0.1:{Port}/issuer.cer");

    /// <summary>Connections accepted: any fetch, whether or not it got as far as a whole request.</summary>
    public int Requests => Volatile.Read(ref requests);

    protected override async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        Interlocked.Increment(ref requests);
        using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            var head = new byte[4096];
            _ = await stream.ReadAsync(head, stopping);
            var body = Certificate;
            var response = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"HTTP/1.1 200 OK\r\nContent-Type: application/pkix-cert\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
            await stream.WriteAsync(response, stopping);
            await stream.WriteAsync(body, stopping);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
        }
    }
}
