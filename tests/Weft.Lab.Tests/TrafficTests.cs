using System.Net;
using System.Text.Json;
using Weft.Tests.Shared;

namespace Weft.Lab.Tests;

/// <summary>Real TCP between pods over the lab fabric, checked end to end by the probe.</summary>
public sealed class TrafficTests
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(10);

    [RootFact]
    public async Task Send_reaches_serve_on_another_pod_with_digest_and_reply_both_ways_half_closed()
    {
        using var lab = Lab.Create(nameof(TrafficTests));
        var node = lab.AddNode("node1");
        var a = lab.AddPod(node, "a", IPAddress.Parse("10.77.0.2"));
        var b = lab.AddPod(node, "b", IPAddress.Parse("10.77.0.3"));
        const long Sent = 8 << 20, Reply = 1 << 20;
        using var server = b.Serve(8080, Reply);

        var result = await a.SendAsync(new IPEndPoint(b.Address, 8080), Sent, Reply);

        Assert.True(result.Ok, result.Error);
        Assert.Equal(Sent, result.Sent);
        Assert.Equal(Reply, result.Received);
        Assert.Equal("10.77.0.3:8080", result.Remote);
        Assert.StartsWith("10.77.0.2:", result.Local, StringComparison.Ordinal);
        // The server's own record of the connection: same bytes, same digest, seen from pod a.
        var conn = JsonDocument.Parse(await server.WaitForLineAsync(l => l.Contains("\"conn\"", StringComparison.Ordinal), LineTimeout)).RootElement;
        Assert.Equal(Sent, conn.GetProperty("bytes").GetInt64());
        Assert.Equal(result.Sha256, conn.GetProperty("sha256").GetString());
        Assert.Equal(result.Local, conn.GetProperty("remote").GetString());
    }

    [RootFact]
    public async Task Hundreds_of_concurrent_connections_and_IPv6_work()
    {
        using var lab = Lab.Create(nameof(TrafficTests));
        var node = lab.AddNode("node1");
        var a = lab.AddPod(node, "a", IPAddress.Parse("10.77.0.2"));
        var b = lab.AddPod(node, "b", IPAddress.Parse("10.77.0.3"));
        using var server = b.Serve(9000, 4096, 9001);

        var many = await a.SendAsync(new IPEndPoint(b.Address, 9001), 64 << 10, 4096, parallel: 300);
        Assert.True(many.Ok, many.Error);
        Assert.Equal(300, many.Connections);
        Assert.Equal(0, many.Failures);

        Assert.NotNull(b.Address6);
        var v6 = await a.SendAsync(new IPEndPoint(b.Address6, 9000), 1 << 20, 4096);
        Assert.True(v6.Ok, v6.Error);
        Assert.Equal($"[{b.Address6}]:9000", v6.Remote);
    }

    [RootFact]
    public void Serve_on_a_taken_port_fails_with_the_probes_reason()
    {
        using var lab = Lab.Create(nameof(TrafficTests));
        var pod = lab.AddPod(lab.AddNode("node1"), "a", IPAddress.Parse("10.77.0.2"));
        using var first = pod.Serve(8080);

        var e = Assert.Throws<InvalidOperationException>(() => pod.Serve(8080));
        Assert.Contains("AddressAlreadyInUse", e.Message, StringComparison.Ordinal);
    }
}
