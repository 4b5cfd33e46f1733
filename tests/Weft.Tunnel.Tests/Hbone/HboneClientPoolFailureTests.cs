using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Weft.Tunnel.Hbone;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>
/// Each way an open fails names its step (<see cref="HboneFailure"/>), is counted, and leaves
/// the pool able to try again: a server that is not who it should be, one from another mesh,
/// nothing listening, a TLS server that never answers, and servers that refuse the CONNECT.
/// </summary>
public sealed class HboneClientPoolFailureTests : IDisposable
{
    private readonly PoolTestKit kit = new();

    public void Dispose() => kit.Dispose();

    [Fact]
    public async Task A_server_of_another_identity_is_refused_and_its_waiters_all_fail()
    {
        await using var server = PoolTestServer.Start(kit.Ca, kit.Ca.Issue(kit.Ca.Id("shop", "not-api")));
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

        // Concurrent opens, all waiting before the connect finishes, share the one failed handshake.
        var opens = Enumerable.Range(0, 5).Select(_ => pool.OpenAsync(destination, CancellationToken.None)).ToArray();
        gate.SetResult();
        foreach (var open in opens)
        {
            var e = await Assert.ThrowsAsync<HboneException>(() => open.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(HboneFailure.WrongServerIdentity, e.Failure);
            Assert.Contains("spiffe://cluster.local/ns/shop/sa/not-api", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(1, kit.Handshakes(nameof(HboneFailure.WrongServerIdentity)));

        // The failure is not remembered: the next open tries a new handshake (and fails the same way).
        var again = await Assert.ThrowsAsync<HboneException>(() => pool.OpenAsync(destination, CancellationToken.None));
        Assert.Equal(HboneFailure.WrongServerIdentity, again.Failure);
        Assert.Equal(2, kit.Handshakes(nameof(HboneFailure.WrongServerIdentity)));
        Assert.Equal(0, kit.Handshakes("ok"));
        Assert.Equal(0, pool.HandshakeCount);
        Assert.Equal(0, pool.ConnectionCount);

        // (The server may see its side of TLS complete: the client judges the server's certificate
        // at the end of the handshake. It sends nothing after refusing it.)
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_server_certified_by_another_ca_is_rejected()
    {
        using var otherCa = new TestMeshCa();
        await using var server = PoolTestServer.Start(kit.Ca, otherCa.Issue(kit.ServerId));
        await using var pool = kit.Pool();

        var e = await Assert.ThrowsAsync<HboneException>(() => pool.OpenAsync(kit.Destination(server.EndPoint), CancellationToken.None));

        Assert.Equal(HboneFailure.PeerCertificateRejected, e.Failure);
        Assert.Contains("does not chain to the trust bundle", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, kit.Handshakes(nameof(HboneFailure.PeerCertificateRejected)));
        Assert.Equal(0, pool.ConnectionCount);
    }

    [Fact]
    public async Task Nothing_listening_fails_to_connect()
    {
        // A port that was just free: nothing listens on it now.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closed = (IPEndPoint)probe.LocalEndPoint!;
        probe.Close();
        await using var pool = kit.Pool();

        var e = await Assert.ThrowsAsync<HboneException>(() => pool.OpenAsync(kit.Destination(closed), CancellationToken.None));

        Assert.Equal(HboneFailure.ConnectFailed, e.Failure);
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(e.InnerException).SocketErrorCode);
        Assert.Equal(1, kit.Handshakes(nameof(HboneFailure.ConnectFailed)));
    }

    [Fact]
    public async Task A_server_that_never_answers_the_handshake_fails_within_the_handshake_timeout()
    {
        // The kernel's backlog takes the connection, and nobody reads the ClientHello. Connected
        // beforehand, so the deadline can only pass in TLS, even on a busy machine.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var connected = await PoolTestKit.Loopback((IPEndPoint)silent.LocalEndpoint, CancellationToken.None);
        var timeout = TimeSpan.FromMilliseconds(500);
        await using var pool = kit.Pool(new HboneOptions { HandshakeTimeout = timeout });
        var destination = kit.Destination((IPEndPoint)silent.LocalEndpoint) with { Dial = (_, _) => ValueTask.FromResult(connected) };
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<HboneException>(() => pool.OpenAsync(destination, CancellationToken.None));

        Assert.Equal(HboneFailure.TlsFailed, e.Failure);
        Assert.Contains("no TLS handshake", e.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, timeout * 0.9, TimeSpan.FromSeconds(5));
        Assert.Equal(1, kit.Handshakes(nameof(HboneFailure.TlsFailed)));
    }

    [Fact]
    public async Task A_server_that_never_answers_the_connect_fails_the_open_within_the_open_timeout()
    {
        await using var server = PoolTestServer.Start(kit.Ca, kit.ServerCertificate);
        var timeout = TimeSpan.FromMilliseconds(500);

        // One stream per connection: the next open reuses the connection only if the silent stream was reset.
        await using var pool = kit.Pool(new HboneOptions { MaxStreamsPerConnection = 1, OpenTimeout = timeout });
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<HboneException>(
            () => pool.OpenAsync(kit.Destination(server.EndPoint, targetPort: PoolTestServer.SilentPort), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(HboneFailure.NoAnswer, e.Failure);
        Assert.Contains("did not answer the CONNECT", e.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, timeout * 0.9, TimeSpan.FromSeconds(5));
        Assert.Equal(1, kit.Refusals(nameof(HboneFailure.NoAnswer)));

        var next = await pool.OpenAsync(kit.Destination(server.EndPoint), CancellationToken.None);
        Assert.False(next.NewConnection);
        await PoolTestKit.EchoAsync(next);
    }

    [Theory]
    [InlineData(401, HboneFailure.Denied)]
    [InlineData(503, HboneFailure.Unreachable)]
    [InlineData(400, HboneFailure.BadRequest)]
    [InlineData(404, HboneFailure.UnexpectedStatus)]
    public async Task A_refused_connect_names_the_status_and_frees_its_stream(int status, HboneFailure expected)
    {
        await using var server = PoolTestServer.Start(kit.Ca, kit.ServerCertificate);

        // One stream per connection: the next open reuses the connection only if the refused stream was reset.
        await using var pool = kit.Pool(new HboneOptions { MaxStreamsPerConnection = 1 });

        var e = await Assert.ThrowsAsync<HboneException>(() => pool.OpenAsync(kit.Destination(server.EndPoint, targetPort: status), CancellationToken.None));

        Assert.Equal(expected, e.Failure);
        Assert.Equal(status, e.Status);
        Assert.Equal(1, kit.Refusals(expected.ToString()));

        var next = await pool.OpenAsync(kit.Destination(server.EndPoint), CancellationToken.None);
        Assert.False(next.NewConnection);
        await PoolTestKit.EchoAsync(next);
        Assert.Equal(1, pool.HandshakeCount);
    }
}
