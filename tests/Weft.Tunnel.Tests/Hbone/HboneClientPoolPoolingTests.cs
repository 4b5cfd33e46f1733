using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Weft.Tunnel.Hbone;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>
/// How the pool shares connections, against a real mutual-TLS HTTP/2 server on loopback: one
/// handshake per key until a connection is full, one shared handshake for concurrent first
/// opens, separate connections per key, and connections leaving when idle or closed.
/// </summary>
public sealed class HboneClientPoolPoolingTests : IDisposable
{
    private readonly PoolTestKit kit = new();

    public void Dispose() => kit.Dispose();

    [Fact]
    public async Task Sequential_tunnels_on_one_key_share_one_connection()
    {
        await using var server = PoolTestServer.Start(kit.Ca, kit.ServerCertificate);
        await using var pool = kit.Pool();
        var destination = kit.Destination(server.EndPoint);

        var fresh = new List<bool>();
        for (var i = 0; i < 10; i++)
        {
            var tunnel = await pool.OpenAsync(destination, CancellationToken.None);
            fresh.Add(tunnel.NewConnection);
            await PoolTestKit.EchoAsync(tunnel, $"tunnel {i}");
        }

        Assert.Equal([true, .. Enumerable.Repeat(false, 9)], fresh);
        Assert.Equal(1, pool.HandshakeCount);
        Assert.Equal(1, pool.ConnectionCount);
        Assert.Equal(1, server.TlsHandshakes);
        Assert.Equal(1, kit.Handshakes("ok"));
        Assert.Equal([kit.ClientId], server.ClientIdentities);
        Assert.Equal(10, server.Requests.Count);
    }

    [Fact]
    public async Task A_full_connection_makes_the_pool_open_another()
    {
        await using var server = PoolTestServer.Start(kit.Ca, kit.ServerCertificate);
        await using var pool = kit.Pool();
        var destination = kit.Destination(server.EndPoint);

        // All 150 held open at once: 100 fit on the first connection, the rest need a second.
        var tunnels = await Task.WhenAll(Enumerable.Range(0, 150).Select(_ => pool.OpenAsync(destination, CancellationToken.None)))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, pool.ConnectionCount);
        Assert.Equal(2, pool.HandshakeCount);
        Assert.Equal(2, server.TlsHandshakes);
        Assert.Equal(150, server.Requests.Count);
        await Task.WhenAll(tunnels.Select((t, i) => PoolTestKit.EchoAsync(t, $"tunnel {i}")));
    }

    [Fact]
    public async Task A_server_allowing_fewer_streams_than_the_pool_gets_more_connections_not_queued_opens()
    {
        // The server takes 2 concurrent streams; the pool alone would put 100 on one connection.
        await using var server = PoolTestServer.Start(kit.Ca, kit.ServerCertificate, new Http2Options { MaxConcurrentStreams = 2 });
        await using var pool = kit.Pool();
        var destination = kit.Destination(server.EndPoint);

        // A burst of 5 held open at once: 2 + 2 + 1, each open answered at once.
        var tunnels = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => pool.OpenAsync(destination, CancellationToken.None)))
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, pool.ConnectionCount);
        Assert.Equal(5, server.Requests.Count);
        await Task.WhenAll(tunnels.Select((t, i) => PoolTestKit.EchoAsync(t, $"tunnel {i}")));
    }

    [Fact]
    public async Task Concurrent_first_opens_share_one_handshake()
    {
        await using var server = PoolTestServer.Start(kit.Ca, kit.ServerCertificate);
        await using var pool = kit.Pool();
        var dials = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var destination = kit.Destination(server.EndPoint) with
        {
            Dial = async (endPoint, ct) =>
            {
                Interlocked.Increment(ref dials);
                await gate.Task.WaitAsync(ct);
                return await PoolTestKit.Loopback(endPoint, ct);
            },
        };

        // Every open is waiting before the one connect can finish.
        var opens = Enumerable.Range(0, 20).Select(_ => pool.OpenAsync(destination, CancellationToken.None)).ToArray();
        Assert.Equal(1, Volatile.Read(ref dials));
        gate.SetResult();
        var tunnels = await Task.WhenAll(opens).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(1, Volatile.Read(ref dials));
        Assert.Equal(1, pool.HandshakeCount);
        Assert.Equal(1, server.TlsHandshakes);
        Assert.Equal(1, pool.ConnectionCount);

        // Each of them waited for that handshake.
        Assert.All(tunnels, t => Assert.True(t.NewConnection));
        await Task.WhenAll(tunnels.Select(t => PoolTestKit.EchoAsync(t)));
    }

    [Fact]
    public async Task A_caller_giving_up_does_not_cancel_the_shared_handshake()
    {
        await using var server = PoolTestServer.Start(kit.Ca, kit.ServerCertificate);
        await using var pool = kit.Pool();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var destination = kit.Destination(server.EndPoint) with
        {
            Dial = async (endPoint, ct) =>
            {
                await gate.Task.WaitAsync(ct);
                return await PoolTestKit.Loopback(endPoint, ct);
            },
        };
        using var impatient = new CancellationTokenSource();
        var first = pool.OpenAsync(destination, impatient.Token);
        var second = pool.OpenAsync(destination, CancellationToken.None);

        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        gate.SetResult();

        var tunnel = await second.WaitAsync(TimeSpan.FromSeconds(10));
        await PoolTestKit.EchoAsync(tunnel);
        Assert.Equal(1, pool.HandshakeCount);
    }

    [Fact]
    public async Task Another_source_pod_identity_certificate_or_destination_identity_gets_its_own_connection()
    {
        await using var server = PoolTestServer.Start(kit.Ca, kit.ServerCertificate);
        await using var pool = kit.Pool();
        var first = kit.Destination(server.EndPoint);
        await PoolTestKit.EchoAsync(await pool.OpenAsync(first, CancellationToken.None));

        // Another pod of the same service account: its own connection.
        var otherPod = await pool.OpenAsync(first with { SourceKey = "pod-web-2" }, CancellationToken.None);
        Assert.True(otherPod.NewConnection);
        await PoolTestKit.EchoAsync(otherPod);

        // The same pod presenting another identity.
        var otherSourceId = kit.Ca.Id("shop", "batch");
        var otherSource = await pool.OpenAsync(first with { SourceCertificate = kit.Ca.Issue(otherSourceId) }, CancellationToken.None);
        Assert.True(otherSource.NewConnection);
        await PoolTestKit.EchoAsync(otherSource);

        // The same pod and identity with a renewed certificate: new handshakes present the new one
        // (the old connection drains and goes idle).
        var renewed = await pool.OpenAsync(first with { SourceCertificate = kit.Ca.Issue(kit.ClientId) }, CancellationToken.None);
        Assert.True(renewed.NewConnection);
        await PoolTestKit.EchoAsync(renewed);

        // The same listener, now presenting another identity, which this destination expects.
        var otherServerId = kit.Ca.Id("shop", "api-canary");
        server.Certificate = kit.Ca.Issue(otherServerId);
        var otherDestination = await pool.OpenAsync(first with { DestinationIdentity = otherServerId }, CancellationToken.None);
        Assert.True(otherDestination.NewConnection);
        await PoolTestKit.EchoAsync(otherDestination);

        // The first key still has its connection (which proved the first identity).
        var again = await pool.OpenAsync(first, CancellationToken.None);
        Assert.False(again.NewConnection);
        await PoolTestKit.EchoAsync(again);

        Assert.Equal(5, pool.HandshakeCount);
        Assert.Equal(5, pool.ConnectionCount);
        Assert.Equal([kit.ClientId, kit.ClientId, otherSourceId, kit.ClientId, kit.ClientId], server.ClientIdentities);
    }

    [Fact]
    public async Task An_idle_connection_is_closed_with_goaway_after_the_idle_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var idle = TimeSpan.FromSeconds(60);
        await using var server = PoolTestServer.Start(kit.Ca, kit.ServerCertificate);
        await using var pool = kit.Pool(new HboneOptions { PoolIdleTimeout = idle }, time);
        var tunnel = await pool.OpenAsync(kit.Destination(server.EndPoint), CancellationToken.None);

        // While a stream is open, no amount of time closes the connection.
        for (var i = 0; i < 12; i++)
        {
            time.Advance(idle / 4);
        }

        Assert.Equal(1, pool.ConnectionCount);

        // Once it ended, almost the timeout is not enough...
        await PoolTestKit.EchoAsync(tunnel);
        for (var i = 0; i < 3; i++)
        {
            time.Advance(idle / 4);
        }

        Assert.Equal(1, pool.ConnectionCount);
        Assert.Empty(server.Log.Events(5003));

        // ...but within 1.25 timeouts it is gone, and the server was told.
        for (var i = 0; i < 3; i++)
        {
            time.Advance(idle / 4);
        }

        Assert.Equal(0, pool.ConnectionCount);
        Assert.Contains("NoError", await server.Log.WaitForAsync(5003), StringComparison.Ordinal);

        // The next open makes a new connection.
        var next = await pool.OpenAsync(kit.Destination(server.EndPoint), CancellationToken.None);
        Assert.True(next.NewConnection);
        await PoolTestKit.EchoAsync(next);
        Assert.Equal(2, pool.HandshakeCount);
    }

    [Fact]
    public async Task A_connection_the_server_closes_leaves_the_pool()
    {
        await using var server = PoolTestServer.Start(kit.Ca, kit.ServerCertificate);
        await using var pool = kit.Pool();
        var destination = kit.Destination(server.EndPoint);
        await PoolTestKit.EchoAsync(await pool.OpenAsync(destination, CancellationToken.None));
        Assert.Equal(1, pool.ConnectionCount);

        await server.CloseConnectionsAsync();
        await PoolTestKit.EventuallyAsync(() => pool.ConnectionCount == 0, "the closed connection leaves the pool");

        var next = await pool.OpenAsync(destination, CancellationToken.None);
        Assert.True(next.NewConnection);
        await PoolTestKit.EchoAsync(next);
        Assert.Equal(2, pool.HandshakeCount);
        Assert.Equal(1, pool.ConnectionCount);
    }

    [Fact]
    public async Task Disposing_the_pool_closes_its_connections_and_fails_waiting_opens()
    {
        await using var server = PoolTestServer.Start(kit.Ca, kit.ServerCertificate);
        var pool = kit.Pool();
        var tunnel = await pool.OpenAsync(kit.Destination(server.EndPoint), CancellationToken.None);

        // An open waiting for a connect that does not finish until the pool is gone.
        var dialing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = kit.Destination(server.EndPoint, sourceKey: "pod-web-2") with
        {
            Dial = async (_, ct) =>
            {
                dialing.SetResult();
                await Task.Delay(Timeout.Infinite, ct);
                throw new SocketException((int)SocketError.TimedOut);
            },
        };
        var waiting = pool.OpenAsync(stuck, CancellationToken.None);
        await dialing.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await pool.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("NoError", await server.Log.WaitForAsync(5003), StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Http2Exception>(async () => await tunnel.Stream.ReadAsync(new byte[1]));
        Assert.Equal(0, pool.ConnectionCount);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.OpenAsync(kit.Destination(server.EndPoint), CancellationToken.None));
    }
}
