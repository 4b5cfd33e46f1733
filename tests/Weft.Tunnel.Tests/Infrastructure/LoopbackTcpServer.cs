using System.Net;
using System.Net.Sockets;

namespace Weft.Tunnel.Tests.Infrastructure;

/// <summary>
/// A TCP server on 127.0.0.1 for tests: accepts until disposed and hands each connection to
/// <see cref="ServeAsync"/> (which owns the socket), without waiting for it.
/// </summary>
internal abstract class LoopbackTcpServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private Task acceptLoop = Task.CompletedTask;

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

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

    /// <summary>Starts listening; called by the derived constructor once its own state is ready.</summary>
    protected void Start()
    {
        listener.Start();
        acceptLoop = AcceptAsync();
    }

    /// <summary>One accepted connection; runs synchronously up to its first await, before the next accept.</summary>
    protected abstract Task ServeAsync(Socket socket, CancellationToken stopping);

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var socket = await listener.AcceptSocketAsync(stop.Token);
            _ = ServeAsync(socket, stop.Token);
        }
    }
}
