using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Weft.Tests.Shared;

namespace Weft.Integration.Tests.TwoNode;

/// <summary>
/// The agents' telemetry after real traffic between the two nodes: Istio's TCP metrics on both
/// sides' Prometheus endpoints (scraped by a real Prometheus too), readiness, and a config dump
/// without key material. Uses web-a → web-b, a pair no other test of the collection uses.
/// </summary>
[Collection(SharedTwoNodeMesh.Name)]
public sealed partial class TelemetryTests(TwoNodeFixture fixture)
{
    private static readonly HttpClient Http = LoopbackPort.Client();

    private TwoNodeMesh Mesh => fixture.Mesh;

    [RootFact]
    public async Task Both_sides_report_istios_tcp_metrics_with_identities_and_a_real_prometheus_reads_them()
    {
        var to = new IPEndPoint(Mesh.WebB.Address, TwoNodeMesh.AppPort);
        await Mesh.SendAsync(Mesh.WebA, to, "web-b", 3 << 20);
        await TwoNodeMesh.OneAsync(Mesh.AgentB, r => r.Direction == "inbound" && r.SourceWorkload == "shop/web-a" && r.OriginalDestination == to.ToString());

        var source = Series(await ScrapeAsync(Mesh.NodeA.TelemetryPorts.Metrics, "/metrics"), "istio_tcp_sent_bytes_total", "reporter", "source", "source_workload", "web-a", "destination_workload", "web-b");
        var destination = Series(await ScrapeAsync(Mesh.NodeB.TelemetryPorts.Metrics, "/stats/prometheus"), "istio_tcp_sent_bytes_total", "reporter", "destination", "source_workload", "web-a", "destination_workload", "web-b");
        foreach (var (labels, value) in new[] { source, destination })
        {
            Assert.True(value >= 3 << 20, $"sent bytes {value}");
            Assert.Equal("spiffe://cluster.local/ns/shop/sa/web", labels["source_principal"]);
            Assert.Equal("spiffe://cluster.local/ns/shop/sa/web", labels["destination_principal"]);
            Assert.Equal(("shop", "shop", "mutual_tls", "tcp", "-"), (labels["source_workload_namespace"], labels["destination_workload_namespace"], labels["connection_security_policy"], labels["request_protocol"], labels["response_flags"]));
        }

        var a = await ScrapeAsync(Mesh.NodeA.TelemetryPorts.Metrics, "/metrics");
        Assert.True(Series(a, "istio_tcp_connections_closed_total", "reporter", "source", "source_workload", "web-a", "destination_workload", "web-b").Value >= 1);
        Assert.Equal(2, Series(a, "weft_workloads_enrolled").Value);
        Assert.True(Series(a, "weft_certificate_expiry", "identity", "spiffe://cluster.local/ns/shop/sa/web").Value > 3600);
        Assert.True(Series(a, "weft_hbone_handshakes_total", "side", "client", "result", "ok").Value >= 1);
        Assert.Contains("dotnet_gc_collections_total", a, StringComparison.Ordinal);

        // A real Prometheus scraping node-b's agent agrees.
        await using var prometheus = PrometheusServer.Start(Mesh.NodeB.TelemetryPorts.Metrics, "/stats/prometheus");
        await prometheus.WaitForTargetUpAsync(TimeSpan.FromSeconds(20));
        var query = "istio_tcp_connections_opened_total{reporter=\"destination\",source_workload=\"web-a\",destination_workload=\"web-b\",connection_security_policy=\"mutual_tls\"}";
        var sample = await prometheus.QueryAsync(query);
        Assert.True(sample is { Value: >= 1 }, $"{query} gave {sample?.Value}");
    }

    [RootFact]
    public async Task Readiness_answers_ready_and_the_config_dump_shows_state_but_no_key()
    {
        using var ready = await Http.GetAsync($"http://127.0.0.1:{Mesh.NodeA.TelemetryPorts.Readiness}/healthz/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        var dump = await Http.GetStringAsync($"http://127.0.0.1:{Mesh.NodeB.TelemetryPorts.Admin}/config_dump");
        using var doc = JsonDocument.Parse(dump);
        var root = doc.RootElement;
        Assert.Equal("node-b", root.GetProperty("node").GetString());
        var enrolled = root.GetProperty("workloads").EnumerateArray().Where(w => w.GetProperty("enrolled").GetBoolean()).Select(w => w.GetProperty("uid").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(["shop/api-b", "shop/web-b"], enrolled);
        var identities = root.GetProperty("certificates").EnumerateArray().Select(c => c.GetProperty("identity").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal([TwoNodeMesh.Principal("shop", "api"), TwoNodeMesh.Principal("shop", "web")], identities);
        Assert.All(root.GetProperty("certificates").EnumerateArray(), c => Assert.True(c.TryGetProperty("notAfter", out _)));
        Assert.DoesNotContain("PRIVATE", dump, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("-----BEGIN", dump, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Weft_status_shows_workloads_identities_expiry_and_the_pairs_that_talked()
    {
        await Mesh.SendAsync(Mesh.WebA, new IPEndPoint(Mesh.WebB.Address, TwoNodeMesh.AppPort), "web-b");
        var ports = Mesh.NodeB.TelemetryPorts;
        var frame = HostTools.Run(RepoPaths.AgentBinary, "status", "--once", "--interval", "0.5",
            "--admin", $"127.0.0.1:{ports.Admin}", "--metrics", $"127.0.0.1:{ports.Metrics}");
        Assert.Contains("weft status: node node-b", frame, StringComparison.Ordinal);
        Assert.Contains("enrolled workloads: 2", frame, StringComparison.Ordinal);
        Assert.Matches(@"shop/web-b\s+spiffe://cluster\.local/ns/shop/sa/web\s+expires in \d+h\d\dm", frame);
        Assert.Matches(@"destination\s+shop/web-a -> shop/web-b\s+mTLS\s+0 ", frame);

        // Nothing listening: one sentence, exit 1.
        var (code, _, stderr) = HostTools.TryRun(RepoPaths.AgentBinary, "status", "--once", "--admin", $"127.0.0.1:{LoopbackPort.Free()}", "--metrics", $"127.0.0.1:{LoopbackPort.Free()}");
        Assert.Equal(1, code);
        Assert.StartsWith("weft status: cannot reach the agent", stderr, StringComparison.Ordinal);
    }

    private static Task<string> ScrapeAsync(int port, string path) => Http.GetStringAsync($"http://127.0.0.1:{port}{path}");

    /// <summary>The one sample of <paramref name="name"/> whose labels include the given pairs.</summary>
    private static (Dictionary<string, string> Labels, double Value) Series(string exposition, string name, params string[] pairs)
    {
        var found = new List<(Dictionary<string, string>, double)>();
        foreach (var line in exposition.Split('\n'))
        {
            var m = SampleLine().Match(line);
            if (!m.Success || m.Groups["name"].Value != name)
            {
                continue;
            }

            var labels = LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value);
            var match = true;
            for (var i = 0; i + 1 < pairs.Length; i += 2)
            {
                match &= labels.TryGetValue(pairs[i], out var v) && v == pairs[i + 1];
            }

            if (match)
            {
                found.Add((labels, double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)));
            }
        }

        Assert.True(found.Count == 1, $"{found.Count} samples of {name} match {string.Join(',', pairs)}");
        return found[0];
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$")]
    private static partial Regex SampleLine();

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex LabelPair();
}
