namespace Weft.Workloads.Tests;

/// <summary>The `identity` section: embedded CA (given or generated root) or an Istio CA.</summary>
public sealed class IdentityConfigTests
{
    [Fact]
    public void Defaults_to_a_generated_embedded_CA_with_24h_certificates()
    {
        var c = LocalConfigLoader.Parse("node: node-a\n", "config.yaml");
        Assert.Null(c.Identity.CaCert);
        Assert.Null(c.Identity.IstioCa);
        Assert.Equal("/var/lib/weft", c.Identity.StateDir);
        Assert.Equal(TimeSpan.FromHours(24), c.Identity.CertificateTtl);
    }

    [Fact]
    public void An_operators_root_and_a_ttl()
    {
        var c = LocalConfigLoader.Parse(
            """
            node: node-a
            identity:
              ca: { cert: /etc/weft/ca.crt, key: /etc/weft/ca.key }
              stateDir: /run/weft-state
              certificateTtl: 90m
            """,
            "config.yaml");
        Assert.Equal("/etc/weft/ca.crt", c.Identity.CaCert);
        Assert.Equal("/etc/weft/ca.key", c.Identity.CaKey);
        Assert.Equal("/run/weft-state", c.Identity.StateDir);
        Assert.Equal(TimeSpan.FromMinutes(90), c.Identity.CertificateTtl);
    }

    [Fact]
    public void An_istio_CA()
    {
        var c = LocalConfigLoader.Parse(
            """
            node: node-a
            identity:
              istioCa:
                address: https://istiod.istio-system.svc:15012
                rootCert: /etc/weft/istio-root.pem
                tokenFile: /var/run/secrets/tokens/istio-token
            """,
            "config.yaml");
        var istio = Assert.IsType<IstioCaSettings>(c.Identity.IstioCa);
        Assert.Equal(new Uri("https://istiod.istio-system.svc:15012"), istio.Address);
        Assert.Equal("/etc/weft/istio-root.pem", istio.RootCert);
        Assert.Equal("/var/run/secrets/tokens/istio-token", istio.TokenFile);
        Assert.Equal("Kubernetes", istio.ClusterId);
    }

    [Theory]
    [InlineData("  certificateTtl: 24", 3, 19, "identity.certificateTtl")]
    [InlineData("  certificateTtl: 30s", 3, 19, "identity.certificateTtl")]
    [InlineData("  ca: { cert: ca.crt, key: /k }", 3, 15, "identity.ca.cert")]
    [InlineData("  ca: { cert: /c }", 3, 7, "identity.ca.key")]
    [InlineData("  istioCa: { address: ftp://x }", 3, 23, "identity.istioCa.address")]
    [InlineData("  istioCa: { address: http://ca:15012 }", 3, 23, "identity.istioCa.address")]
    [InlineData("  stateDirectory: /x", 3, 3, "identity.stateDirectory")]
    public void Errors_point_at_the_field(string line, int row, int column, string field) =>
        ConfigAssert.Fails($"node: node-a\nidentity:\n{line}\n", row, column, field);

    [Fact]
    public void A_ttl_beyond_what_a_TimeSpan_holds_is_a_config_error()
    {
        var e = ConfigAssert.Fails("node: node-a\nidentity:\n  certificateTtl: 9999999999h\n", 3, 19, "identity.certificateTtl");

        Assert.Equal("\"9999999999h\" is not a duration between 1m and 366 days (write e.g. 24h, 90m or 3600s)", e.Detail);
    }

    [Fact]
    public void Both_CAs_at_once_is_an_error()
    {
        var e = ConfigAssert.Fails(
            "node: node-a\nidentity:\n  ca: { cert: /c, key: /k }\n  istioCa: { address: https://ca:15012 }\n",
            4, 12, "identity.istioCa");
        Assert.Equal("set either ca (the embedded CA) or istioCa, not both", e.Detail);
    }
}
