using System.Net;
using Weft.Workloads;

namespace Weft.Deploy.Tests;

/// <summary>
/// The ConfigMap's settings file, read by the agent's own loader. One file serves every node, so it
/// has no `node:` (Kubernetes mode takes the node from NODE_NAME) and no namespaces, workloads or
/// services (those come from the API server): the loader reads it in Kubernetes mode, as the agent
/// does with NODE_NAME set, and would refuse any of those sections.
/// </summary>
public class ConfigMapTests
{
    public static string Text => Deploy.ConfigMap.Data["config.yaml"];

    public static LocalConfig Config { get; } = LocalConfigLoader.Parse(Text, "daemonset/configmap.yaml", ConfigMode.Kubernetes("node-1"));

    [Fact]
    public void The_settings_file_is_accepted_by_the_agents_config_loader()
    {
        Assert.Equal("node-1", Config.Node);
        Assert.Equal("cluster.local", Config.TrustDomain);
        Assert.Equal("istio-system", Config.RootNamespace);
    }

    [Fact]
    public void It_describes_no_node_and_nothing_the_api_server_supplies()
    {
        var root = new YamlDotNet.RepresentationModel.YamlStream();
        root.Load(new StringReader(Text));
        var keys = ((YamlDotNet.RepresentationModel.YamlMappingNode)root.Documents.Single().RootNode).Children.Keys
            .Select(k => k.ToString()).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain("node", keys);
        foreach (var fromApi in new[] { "namespaces", "workloads", "services", "policies", "mtls" })
        {
            Assert.DoesNotContain(fromApi, keys);
        }

        Assert.Empty(Config.Workloads);
        Assert.Empty(Config.Services);
    }

    [Fact]
    public void Certificates_come_from_istiod_over_tls()
    {
        var ca = Config.Identity.IstioCa;
        Assert.NotNull(ca);
        Assert.Equal(new Uri("https://istiod.istio-system.svc:15012"), ca.Address);
        Assert.Null(Config.Identity.CaCert);
        Assert.Equal(TimeSpan.FromHours(24), Config.Identity.CertificateTtl);
    }

    [Fact]
    public void Metrics_and_health_listen_on_the_node_and_admin_on_loopback_only()
    {
        var t = Config.Telemetry;
        Assert.True(t.Prometheus.Enabled);
        Assert.Equal(IPAddress.Any, t.Prometheus.Address.Address);
        Assert.Equal(IPAddress.Any, t.Readiness.Address.Address);
        Assert.True(IPAddress.IsLoopback(t.Admin.Address.Address));
        Assert.Equal(Weft.Telemetry.WeftTelemetry.AdminPort, t.Admin.Address.Port);
    }

    [Fact]
    public void A_mistake_in_the_file_is_caught_by_the_loader()
    {
        var typo = Text.Replace("trustDomain:", "trustDomian:", StringComparison.Ordinal);
        var e = Assert.Throws<ConfigException>(() => LocalConfigLoader.Parse(typo, "daemonset/configmap.yaml", ConfigMode.Kubernetes("node-1")));
        Assert.Contains("did you mean \"trustDomain\"", e.Message, StringComparison.Ordinal);
    }
}
