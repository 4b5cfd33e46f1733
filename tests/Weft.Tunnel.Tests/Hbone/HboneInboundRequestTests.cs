using Weft.Tunnel.Hbone;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>
/// Streams the server answers itself (400: not a CONNECT to an address of this pod) and statuses
/// the handler chooses (401, 503): the client sees each, the stream ends, the connection carries on.
/// </summary>
public sealed class HboneInboundRequestTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestMeshCa ca = new();
    private int handled;

    public void Dispose() => ca.Dispose();

    [Theory]
    [InlineData("10.9.9.9:80", "not an address of this pod")]
    [InlineData("[fd00::8]:80", "not an address of this pod")]
    [InlineData("backend.shop:80", "not an IPv4 address")]
    [InlineData("10.0.0.7", "no port")]
    [InlineData("10.0.0.7:0", "no valid port")]
    [InlineData("10.0.0.7:65536", "no valid port")]
    [InlineData("10.0.7:80", "not an IPv4 address")]
    [InlineData("010.0.0.7:80", "not an IPv4 address")]
    [InlineData("fd00::7:80", "not an IPv4 address")]
    [InlineData("[fd00::7%eth0]:80", "not [IPv6 address]:port")]
    public async Task A_connect_to_anything_but_an_address_of_this_pod_is_400(string authority, string reason)
    {
        await using var server = Server();
        await using var client = await InboundClient.ConnectAsync(server, ca.Issue(ca.Id("shop", "frontend")));
        var (stream, status) = await client.OpenAsync(authority);
        Assert.Equal("400", status);
        Assert.Equal(0, await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(InboundClient.Timeout));

        Assert.Equal(0, handled);
        Assert.Equal(1, server.RefusalCount(nameof(HboneFailure.BadRequest)));
        Assert.Contains(reason, Assert.Single(server.Log.Events(5107)).Value("Reason"), StringComparison.Ordinal);
        await AssertStillWorksAsync(client);
    }

    [Fact]
    public async Task A_request_other_than_CONNECT_is_400()
    {
        await using var server = Server();
        await using var client = await InboundClient.ConnectAsync(server, ca.Issue(ca.Id("shop", "frontend")));
        var get = await client.Connection.OpenStreamAsync(
            [new(":method", "GET"), new(":scheme", "https"), new(":path", "/"), new(":authority", InboundServer.Authority(80))]);
        Assert.Equal("400", (await get.ResponseHeaders.WaitAsync(InboundClient.Timeout)).Get(":status"));
        Assert.Equal(0, await get.ReadAsync(new byte[1]).AsTask().WaitAsync(InboundClient.Timeout));

        Assert.Equal(0, handled);
        Assert.Equal(1, server.RefusalCount(nameof(HboneFailure.BadRequest)));
        Assert.Contains("method GET", Assert.Single(server.Log.Events(5107)).Value("Reason"), StringComparison.Ordinal);
        await AssertStillWorksAsync(client);
    }

    [Fact]
    public async Task The_handler_answers_401_and_503_and_the_client_sees_them()
    {
        await using var server = new InboundServer(ca, (request, ct) => request.Target.Port switch
        {
            401 => request.RejectAsync(401, ct).AsTask(),
            503 => request.RejectAsync(503, ct).AsTask(),
            _ => InboundServer.EchoAsync(request, ct),
        }, output: TestLog.To(output, "inbound"));
        await using var client = await InboundClient.ConnectAsync(server, ca.Issue(ca.Id("shop", "frontend")));
        foreach (var code in new[] { "401", "503" })
        {
            var (stream, status) = await client.OpenAsync(InboundServer.Authority(int.Parse(code, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Equal(code, status);
            Assert.Equal(0, await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(InboundClient.Timeout));
        }

        // Statuses the handler chose are its own business: the server refused nothing.
        Assert.Empty(server.Metrics.By(InboundServer.Refusals, "reason"));
        await AssertStillWorksAsync(client);
    }

    private InboundServer Server() => new(ca, (request, ct) =>
    {
        Interlocked.Increment(ref handled);
        return InboundServer.EchoAsync(request, ct);
    }, output: TestLog.To(output, "inbound"));

    private static async Task AssertStillWorksAsync(TestClient client)
    {
        var (stream, status) = await client.OpenAsync(InboundServer.Authority(8080));
        Assert.Equal("200", status);
        Assert.Equal("next", await InboundClient.EchoAsync(stream, "next"));
    }
}
