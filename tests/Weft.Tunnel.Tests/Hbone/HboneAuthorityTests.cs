using System.Net;
using Weft.Tunnel.Hbone;

namespace Weft.Tunnel.Tests.Hbone;

public sealed class HboneAuthorityTests
{
    [Theory]
    [InlineData("10.0.0.7:8080", "10.0.0.7", 8080)]
    [InlineData("0.0.0.0:1", "0.0.0.0", 1)]
    [InlineData("255.255.255.255:65535", "255.255.255.255", 65535)]
    [InlineData("[fd00::7]:80", "fd00::7", 80)]
    [InlineData("[::1]:443", "::1", 443)]
    [InlineData("[FD00:0:0:0:0:0:0:7]:80", "fd00::7", 80)]
    [InlineData("[::ffff:10.0.0.7]:80", "::ffff:10.0.0.7", 80)]
    public void Parses_an_address_and_port(string authority, string address, int port)
    {
        Assert.True(HboneAuthority.TryParse(authority, out var target, out var problem), problem);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), target);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(":80")]
    [InlineData("10.0.0.7")]
    [InlineData("10.0.0.7:")]
    [InlineData("10.0.0.7:0")]
    [InlineData("10.0.0.7:080")]
    [InlineData("10.0.0.7:+80")]
    [InlineData("10.0.0.7:65536")]
    [InlineData("10.0.0.7:999999")]
    [InlineData("10.0.0.7:8O")]
    [InlineData("10.1:80")]
    [InlineData("10.0.0.0.7:80")]
    [InlineData("10..0.7:80")]
    [InlineData("010.0.0.7:80")]
    [InlineData("0x0a.0.0.7:80")]
    [InlineData("256.0.0.7:80")]
    [InlineData("167772167:80")]
    [InlineData(" 10.0.0.7:80")]
    [InlineData("backend.shop:80")]
    [InlineData("localhost:80")]
    [InlineData("fd00::7:80")]
    [InlineData("[fd00::7]")]
    [InlineData("[fd00::7]80")]
    [InlineData("[]:80")]
    [InlineData("[10.0.0.7]:80")]
    [InlineData("[fd00::7%eth0]:80")]
    [InlineData("[fe80::1%2]:80")]
    [InlineData("[fd00::g]:80")]
    public void Refuses_anything_else(string? authority)
    {
        Assert.False(HboneAuthority.TryParse(authority, out _, out var problem));
        Assert.NotEmpty(problem);
    }
}
