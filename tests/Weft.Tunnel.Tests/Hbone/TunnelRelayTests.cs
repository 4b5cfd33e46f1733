using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Weft.Tunnel.Hbone;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>
/// A plain TCP connection carried over one CONNECT stream: app ⇄ socket ⇄ [TunnelRelay] ⇄ h2
/// stream ⇄ echo server. Bytes, half-close and resets must cross unchanged.
/// </summary>
public sealed class TunnelRelayTests
{
    [Fact]
    public async Task Bytes_and_half_close_cross_the_tunnel_both_ways()
    {
        await using var server = TestServer.Start(Echo.Handler);
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        var (app, proxySide) = await SocketPairAsync();
        using (app)
        using (proxySide)
        {
            var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
            Assert.Contains(await stream.ResponseHeaders, h => h is { Name: ":status", Value: "200" });
            var relay = TunnelRelay.RunAsync(proxySide, stream, CancellationToken.None);

            var data = RandomNumberGenerator.GetBytes(8 << 20);
            var send = Task.Run(async () =>
            {
                await app.SendAsync(data);
                app.Shutdown(SocketShutdown.Send);
            });
            var echoed = await ReadToEndAsync(app);
            await send;

            // The echo server answered everything, then ended its side after our FIN reached it.
            Assert.Equal(SHA256.HashData(data), SHA256.HashData(echoed));
            var result = await relay.AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(data.Length, result.Sent);
            Assert.Equal(data.Length, result.Received);
            Assert.Null(result.Error);
        }
    }

    [Fact]
    public async Task A_reset_application_socket_resets_the_stream()
    {
        var handlerSaw = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = TestServer.Start(async s =>
        {
            await s.RespondAsync(Echo.Ok, endStream: false);
            try
            {
                var buffer = new byte[1024];
                while (await s.ReadAsync(buffer) > 0)
                {
                }

                handlerSaw.TrySetResult(null);
            }
            catch (Exception e)
            {
                handlerSaw.TrySetResult(e);
            }
        });
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        var (app, proxySide) = await SocketPairAsync();
        using (app)
        using (proxySide)
        {
            var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
            await stream.ResponseHeaders;
            var relay = TunnelRelay.RunAsync(proxySide, stream, CancellationToken.None);
            await app.SendAsync(new byte[] { 1, 2, 3 });
            app.LingerState = new LingerOption(true, 0);
            app.Close();

            var result = await relay.AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.NotNull(result.Error);
            Assert.IsAssignableFrom<Weft.Tunnel.Http2.Http2StreamException>(await handlerSaw.Task.WaitAsync(TimeSpan.FromSeconds(20)));

            // The connection itself is fine for the next tunnel.
            var next = await client.Connection.OpenStreamAsync(Echo.Connect());
            Assert.Contains(await next.ResponseHeaders.WaitAsync(TimeSpan.FromSeconds(20)), h => h is { Name: ":status", Value: "200" });
            next.Reset();
        }
    }

    private static async Task<(Socket App, Socket Proxy)> SocketPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var app = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await app.ConnectAsync(listener.LocalEndPoint!);
        return (app, await accept);
    }

    private static async Task<byte[]> ReadToEndAsync(Socket s)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await s.ReceiveAsync(buffer)) > 0)
        {
            ms.Write(buffer, 0, n);
        }

        return ms.ToArray();
    }
}
