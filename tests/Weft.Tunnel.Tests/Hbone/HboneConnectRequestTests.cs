using System.Net;
using Weft.Tunnel.Hbone;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>The CONNECT request the client sends: authority-form targets and RFC 7239 forwarded nodes.</summary>
public sealed class HboneConnectRequestTests
{
    [Theory]
    [InlineData("10.0.0.7", 8080, "10.0.0.7:8080")]
    [InlineData("2001:db8::7", 8080, "[2001:db8::7]:8080")]
    [InlineData("::ffff:10.0.0.7", 443, "10.0.0.7:443")]
    [InlineData("fe80::1%2", 80, "[fe80::1]:80")]
    public void Authority_is_address_and_port(string address, int port, string expected) =>
        Assert.Equal(expected, HboneConnectRequest.Authority(new IPEndPoint(IPAddress.Parse(address), port)));

    [Theory]
    [InlineData("192.0.2.43", 0, "for=192.0.2.43")]
    [InlineData("192.0.2.43", 47011, "for=\"192.0.2.43:47011\"")]
    [InlineData("2001:db8:cafe::17", 4711, "for=\"[2001:db8:cafe::17]:4711\"")]
    [InlineData("2001:db8:cafe::17", 0, "for=\"[2001:db8:cafe::17]\"")]
    [InlineData("::ffff:192.0.2.43", 47011, "for=\"192.0.2.43:47011\"")]
    public void Forwarded_is_an_rfc7239_node(string address, int port, string expected) =>
        Assert.Equal(expected, HboneConnectRequest.Forwarded(new IPEndPoint(IPAddress.Parse(address), port)));

    [Fact]
    public void Headers_carry_what_is_known()
    {
        using var ca = new TestMeshCa();
        var destination = new HboneDestination
        {
            SourceKey = "pod",
            SourceCertificate = ca.Issue(ca.Id("a", "b")),
            DestinationIdentity = ca.Id("c", "d"),
            TunnelAddress = new IPEndPoint(IPAddress.Loopback, HboneOptions.Port),
            Target = new IPEndPoint(IPAddress.Parse("10.0.0.7"), 80),
            Dial = (_, _) => throw new InvalidOperationException(),
        };

        Assert.Equal([new(":method", "CONNECT"), new(":authority", "10.0.0.7:80")], HboneConnectRequest.Headers(destination));
        var full = destination with { Source = new IPEndPoint(IPAddress.Parse("10.0.0.9"), 5000), TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
        Assert.Equal(
            [new(":method", "CONNECT"), new(":authority", "10.0.0.7:80"), new("forwarded", "for=\"10.0.0.9:5000\""), new("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")],
            HboneConnectRequest.Headers(full));
    }
}
