using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Weft.Tunnel.Http2;

namespace Weft.Tunnel.Tests.Infrastructure;

/// <summary>
/// A listener on 127.0.0.1 serving every connection with its own server <see cref="Http2Connection"/>,
/// recording how each one ended, so tests can break one connection and check the others.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Func<Http2Stream, Task> handler;
    private readonly Http2Options options;
    private readonly bool tls;
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<Http2Connection> connections = new();
    private readonly ConcurrentQueue<Task> serving = new();
    private readonly Task acceptLoop;

    private TestServer(Func<Http2Stream, Task> handler, Http2Options options, bool tls)
    {
        this.handler = handler;
        this.options = options;
        this.tls = tls;
        listener.Start();
        acceptLoop = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)listener.LocalEndpoint;

    // How each connection's RunAsync ended, in the order they ended: null when cleanly.
    private readonly Channel<Exception?> ended = Channel.CreateUnbounded<Exception?>();

    public IReadOnlyCollection<Http2Connection> Connections => connections;

    public static TestServer Start(Func<Http2Stream, Task>? handler = null, Http2Options? options = null, bool tls = false) =>
        new(handler ?? Echo.Handler, options ?? new Http2Options(), tls);

    /// <summary>The next connection to end: null if it ended cleanly, else its error.</summary>
    public async Task<Exception?> NextEndedAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await ended.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("no server connection ended in time");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        listener.Dispose();
        await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
        try
        {
            await acceptLoop;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        await Task.WhenAll(serving);
        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var socket = await listener.AcceptSocketAsync(stop.Token);
            socket.NoDelay = true;
            serving.Enqueue(Task.Run(() => ServeAsync(socket)));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        Stream transport = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (tls)
            {
                transport = await Loopback.ServerTlsAsync(transport);
            }
        }
        catch (Exception e)
        {
            await transport.DisposeAsync();
            ended.Writer.TryWrite(e);
            return;
        }

        var connection = Http2Connection.Server(transport, options, handler, TestLog.Null);
        connections.Enqueue(connection);
        try
        {
            await connection.RunAsync();
            ended.Writer.TryWrite(null);
        }
        catch (Exception e)
        {
            ended.Writer.TryWrite(e);
        }
    }
}

/// <summary>A client <see cref="Http2Connection"/> running over a fresh loopback connection.</summary>
internal sealed class TestClient : IAsyncDisposable
{
    private TestClient(Http2Connection connection)
    {
        Connection = connection;
        Run = connection.RunAsync();
    }

    public Http2Connection Connection { get; }

    public Task Run { get; }

    public static async Task<TestClient> ConnectAsync(IPEndPoint server, Http2Options? options = null, bool tls = false)
    {
        Stream transport = await Loopback.ConnectAsync(server);
        if (tls)
        {
            transport = await Loopback.ClientTlsAsync(transport);
        }

        return new TestClient(Http2Connection.Client(transport, options ?? new Http2Options(), TestLog.Null));
    }

    public static TestClient Over(Stream transport, Http2Options? options = null) =>
        new(Http2Connection.Client(transport, options ?? new Http2Options(), TestLog.Null));

    /// <summary>A CONNECT, a small echo through it, checked: proof the connection works.</summary>
    public async Task EchoRoundTripAsync(string text = "still working")
    {
        var stream = await Connection.OpenStreamAsync(Echo.Connect());
        var response = await stream.ResponseHeaders.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("200", response.Get(":status"));
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text));
        await stream.CompleteWritesAsync();
        var echoed = await Echo.ReadAllAsync(stream).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(text, System.Text.Encoding.ASCII.GetString(echoed));
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        try
        {
            await Run;
        }
        catch (Exception e) when (e is Http2Exception or IOException or OperationCanceledException)
        {
        }
    }
}
