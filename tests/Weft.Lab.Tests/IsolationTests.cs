using System.Net;
using Weft.Tests.Shared;

namespace Weft.Lab.Tests;

/// <summary>A pod reaches its own lab's subnet and nothing else.</summary>
public sealed class IsolationTests
{
    [RootFact]
    public async Task A_pod_has_no_default_route_and_an_outside_address_is_unreachable_at_once()
    {
        using var lab = Lab.Create(nameof(IsolationTests));
        var pod = lab.AddPod(lab.AddNode("node1"), "a", IPAddress.Parse("10.77.0.2"));

        foreach (var family in new[] { "-4", "-6" })
        {
            using var ip = pod.Start("ip", family, "route", "show");
            Assert.Equal(0, await ip.Exited);
            Assert.DoesNotContain(ip.StdoutLines, l => l.StartsWith("default", StringComparison.Ordinal));
        }

        // No route: connect() fails with ENETUNREACH in the pod itself; no packet leaves.
        var result = await pod.SendAsync(new IPEndPoint(IPAddress.Parse("10.99.0.1"), 80), 1, timeout: TimeSpan.FromSeconds(5));
        Assert.False(result.Ok);
        Assert.Contains("NetworkUnreachable", result.Error, StringComparison.Ordinal);
        Assert.True(result.ElapsedMs < 1000, $"took {result.ElapsedMs} ms");
    }

    [RootFact]
    public async Task Two_labs_reuse_a_subnet_without_seeing_each_other()
    {
        using var one = Lab.Create(nameof(IsolationTests));
        using var two = Lab.Create(nameof(IsolationTests));
        var addrA = IPAddress.Parse("10.77.0.2");
        var addrB = IPAddress.Parse("10.77.0.3");
        var a1 = one.AddPod(one.AddNode("node1"), "a", addrA);
        one.AddPod(one.Nodes[0], "b", addrB);
        var b2 = two.AddPod(two.AddNode("node1"), "b", addrB);
        using var server = b2.Serve(7000);

        // Lab one's 10.77.0.3 exists but serves nothing: refused, not answered by lab two's pod.
        var result = await a1.SendAsync(new IPEndPoint(addrB, 7000), 1, timeout: TimeSpan.FromSeconds(5));
        Assert.False(result.Ok);
        Assert.Contains("ConnectionRefused", result.Error, StringComparison.Ordinal);
        Assert.NotEqual(one.Id, two.Id);
    }
}
