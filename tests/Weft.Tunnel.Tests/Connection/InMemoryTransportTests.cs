using Weft.Tunnel.Http2;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Connection;

/// <summary>The connection needs only a duplex Stream: the same exchanges over in-memory pipes.</summary>
public class InMemoryTransportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Tunnels_and_graceful_close_over_an_in_memory_stream()
    {
        var (a, b) = InMemoryDuplex.Create();
        var server = Http2Connection.Server(b, new Http2Options(), Echo.Handler, TestLog.Null);
        var serverRun = server.RunAsync();
        await using var client = TestClient.Over(a);

        var tunnels = Enumerable.Range(0, 4).Select(async i =>
        {
            var stream = await client.Connection.OpenStreamAsync(Echo.Connect($"10.0.0.{i}:80"));
            var receive = Echo.ReceiveAsync(stream);
            var sent = await Echo.SendAsync(stream, 4 << 20, seed: i);
            var (count, digest) = await receive;
            Assert.Equal(4 << 20, count);
            Assert.Equal(sent, digest);
        });
        await Task.WhenAll(tunnels).WaitAsync(Timeout);

        await server.GoAwayAsync(Http2ErrorCode.NoError);
        await serverRun.WaitAsync(Timeout);
        await client.Run.WaitAsync(Timeout);
        Assert.True(server.Completion.IsCompleted);
    }
}
