using System.Diagnostics;
using System.Net;
using Weft.Integration.Tests.TwoNode;
using Weft.Tests.Shared;

namespace Weft.Integration.Tests.InProcess;

/// <summary>
/// What node-a's agent hands its exporters after real traffic through the lab, read with
/// OpenTelemetry's in-memory exporter: Istio's TCP metrics with exact names, labels and values on
/// both reporters, byte counters that move while a connection is open, the agent's own metrics,
/// runtime metrics, policy denials, and the spans of each connection.
/// Each test uses its own pair of workloads, so its series hold only its own traffic.
/// </summary>
public sealed class InMemoryExportTests(InProcessAgentFixture fixture) : IClassFixture<InProcessAgentFixture>
{
    private const string DenyApi = """
        policies:
          - name: deny-api
            namespace: shop
            selector: { app: web }
            action: DENY
            rules:
              - from:
                  - principals: [cluster.local/ns/shop/sa/api]
        """;

    /// <summary>The labels Istio's dashboards group TCP metrics by; every series carries exactly these.</summary>
    private static readonly string[] IstioLabels =
    [
        "reporter", "source_workload", "source_canonical_service", "source_canonical_revision", "source_workload_namespace",
        "source_principal", "source_app", "source_version", "source_cluster",
        "destination_service", "destination_service_namespace", "destination_service_name",
        "destination_workload", "destination_canonical_service", "destination_canonical_revision", "destination_workload_namespace",
        "destination_principal", "destination_app", "destination_version", "destination_cluster",
        "request_protocol", "response_flags", "connection_security_policy",
    ];

    private static readonly string[] IstioTcpMetrics =
    [
        "istio_tcp_connections_opened_total", "istio_tcp_connections_closed_total",
        "istio_tcp_sent_bytes_total", "istio_tcp_received_bytes_total",
    ];

    private TwoNodeMesh Mesh => fixture.Mesh;

    private InProcessAgent Agent => fixture.AgentA;

    [RootFact]
    public async Task An_outbound_connection_through_a_service_is_counted_by_the_source_with_both_identities()
    {
        // client-a → the api service, tunnelled to api-b on node-b: node-a is the source reporter.
        var (probe, _) = await Mesh.SendAsync(Mesh.ClientA, new IPEndPoint(TwoNodeMesh.ApiVip, 80), "api-b", 1 << 20);
        var record = await Agent.Log.WaitForAccessAsync(r => r.Direction == "outbound" && r.SourceWorkload == "shop/client-a" && r.DestinationWorkload == "shop/api-b", TwoNodeMesh.Wait);
        Assert.Equal("mutual_tls", record.Security);

        var batch = Agent.Collect();
        var labels = new Dictionary<string, string>
        {
            ["reporter"] = "source",
            ["source_workload"] = "client-a",
            ["source_canonical_service"] = "client-a", // no app label: the workload's name
            ["source_canonical_revision"] = "latest",
            ["source_workload_namespace"] = "shop",
            ["source_principal"] = TwoNodeMesh.Principal("shop", "client"),
            ["source_app"] = "client-a",
            ["source_version"] = "latest",
            ["source_cluster"] = "Kubernetes",
            ["destination_service"] = "api.shop.svc.cluster.local",
            ["destination_service_namespace"] = "shop",
            ["destination_service_name"] = "api",
            ["destination_workload"] = "api-b",
            ["destination_canonical_service"] = "api", // app: api
            ["destination_canonical_revision"] = "latest",
            ["destination_workload_namespace"] = "shop",
            ["destination_principal"] = TwoNodeMesh.Principal("shop", "api"),
            ["destination_app"] = "api",
            ["destination_version"] = "latest",
            ["destination_cluster"] = "Kubernetes",
            ["request_protocol"] = "tcp",
            ["response_flags"] = "-",
            ["connection_security_policy"] = "mutual_tls",
        };
        foreach (var name in IstioTcpMetrics)
        {
            Assert.Equal(labels, batch.Point(name, Only(labels)).Tags);
        }

        Assert.Equal(1, batch.Point("istio_tcp_connections_opened_total", Only(labels)).Value);
        Assert.Equal(1, batch.Point("istio_tcp_connections_closed_total", Only(labels)).Value);
        Assert.Equal(probe.Sent, batch.Point("istio_tcp_sent_bytes_total", Only(labels)).Value);
        Assert.Equal(ReplyOnTheWire(probe.Sent), batch.Point("istio_tcp_received_bytes_total", Only(labels)).Value);
        Assert.Equal("By", batch.Metric("istio_tcp_sent_bytes_total").Unit);
        Assert.Empty(batch.Points("istio_tcp_connections_failed_total", ("source_workload", "client-a"), ("destination_workload", "api-b")));

        // Every series of every TCP metric has Istio's label set, no more, no less.
        foreach (var name in IstioTcpMetrics)
        {
            Assert.All(batch.Points(name), p => Assert.Equal(IstioLabels.Order(StringComparer.Ordinal), p.Tags.Keys.Order(StringComparer.Ordinal)));
        }

        // Its span: a client span with no parent, the identities and the bytes on it.
        var span = Assert.Single(Agent.Spans, s => s.OperationName == "weft.outbound" && Tag(s, "weft.source.workload") == "shop/client-a" && Tag(s, "weft.destination.workload") == "shop/api-b");
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(default, span.ParentSpanId);
        Assert.Equal("mutual_tls", Tag(span, "weft.connection.security"));
        Assert.Equal(probe.Sent.ToString(System.Globalization.CultureInfo.InvariantCulture), Tag(span, "weft.bytes.sent"));
    }

    [RootFact]
    public async Task An_inbound_tunnelled_connection_is_counted_by_the_destination_and_its_span_continues_the_callers_trace()
    {
        // web-b on node-b → web-a's pod address: node-a is the destination reporter.
        var (probe, _) = await Mesh.SendAsync(Mesh.WebB, new IPEndPoint(Mesh.WebA.Address, TwoNodeMesh.AppPort), "web-a", 2 << 20);
        await Agent.Log.WaitForAccessAsync(r => r.Direction == "inbound" && r.SourceWorkload == "shop/web-b" && r.DestinationWorkload == "shop/web-a", TwoNodeMesh.Wait);

        var batch = Agent.Collect();
        (string, string)[] series = [("reporter", "destination"), ("source_workload", "web-b"), ("destination_workload", "web-a")];
        var opened = batch.Point("istio_tcp_connections_opened_total", series);
        Assert.Equal(1, opened.Value);
        Assert.Equal(
            ("shop", TwoNodeMesh.Principal("shop", "web"), "shop", TwoNodeMesh.Principal("shop", "web"), "unknown", "mutual_tls", "-"),
            (opened.Tags["source_workload_namespace"], opened.Tags["source_principal"], opened.Tags["destination_workload_namespace"], opened.Tags["destination_principal"],
             opened.Tags["destination_service"], opened.Tags["connection_security_policy"], opened.Tags["response_flags"]));
        Assert.Equal(1, batch.Point("istio_tcp_connections_closed_total", series).Value);
        Assert.Equal(probe.Sent, batch.Point("istio_tcp_sent_bytes_total", series).Value);
        Assert.Equal(ReplyOnTheWire(probe.Sent), batch.Point("istio_tcp_received_bytes_total", series).Value);

        // The span is a server span whose parent came from node-b's agent in the HBONE traceparent header.
        var span = Assert.Single(Agent.Spans, s => s.OperationName == "weft.inbound" && Tag(s, "weft.source.workload") == "shop/web-b" && Tag(s, "weft.destination.workload") == "shop/web-a");
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.True(span.HasRemoteParent, "the inbound span did not continue the caller's trace");
        Assert.NotEqual(default, span.ParentSpanId);
        Assert.Equal(TwoNodeMesh.Principal("shop", "web"), Tag(span, "weft.source.principal"));
        Assert.DoesNotContain(Agent.Spans, s => s.TraceId == span.TraceId && s.SpanId != span.SpanId);
    }

    [RootFact]
    public async Task A_plaintext_connection_to_a_pod_outside_the_mesh_is_counted_with_unknown_security_and_peer_identity()
    {
        var (probe, _) = await Mesh.SendAsync(Mesh.ClientA, new IPEndPoint(Mesh.LegacyB.Address, TwoNodeMesh.AppPort), "legacy-b", 256 << 10);
        await Agent.Log.WaitForAccessAsync(r => r.Direction == "outbound" && r.SourceWorkload == "shop/client-a" && r.DestinationWorkload == "legacy/legacy-b", TwoNodeMesh.Wait);

        var batch = Agent.Collect();
        (string, string)[] series = [("reporter", "source"), ("source_workload", "client-a"), ("destination_workload", "legacy-b")];
        var sent = batch.Point("istio_tcp_sent_bytes_total", series);
        Assert.Equal(probe.Sent, sent.Value);
        Assert.Equal(("legacy", "unknown", "unknown", TwoNodeMesh.Principal("shop", "client")),
            (sent.Tags["destination_workload_namespace"], sent.Tags["destination_principal"], sent.Tags["connection_security_policy"], sent.Tags["source_principal"]));
        Assert.Equal(ReplyOnTheWire(probe.Sent), batch.Point("istio_tcp_received_bytes_total", series).Value);
    }

    [RootFact]
    public async Task Byte_counters_advance_while_a_long_connection_is_open()
    {
        // About 6 s of traffic, one chunk every 200 ms: read the counters while it lasts.
        var to = new IPEndPoint(Mesh.WebB.Address, TwoNodeMesh.AppPort);
        const long total = 30L * 64256; // 30 of the probe's chunks
        var sending = Mesh.ClientA.SendAsync(to, total, TwoNodeMesh.ReplyBytes, timeout: TimeSpan.FromSeconds(60), pace: TimeSpan.FromMilliseconds(200));
        (string, string)[] series = [("reporter", "source"), ("source_workload", "client-a"), ("destination_workload", "web-b")];

        List<double> seen = [];
        var deadline = DateTime.UtcNow + TwoNodeMesh.Wait;
        while (seen.Count < 3 && DateTime.UtcNow < deadline && !sending.IsCompleted)
        {
            var batch = Agent.Collect();
            var sent = batch.ValueOrZero("istio_tcp_sent_bytes_total", series);
            if (sent > 0 && batch.ValueOrZero("istio_tcp_connections_closed_total", series) == 0 && (seen.Count == 0 || sent > seen[^1]))
            {
                Assert.Equal(1, batch.Point("istio_tcp_connections_opened_total", series).Value);
                Assert.True(batch.Point("weft.connections.live").Value >= 1);
                seen.Add(sent);
            }

            await Task.Delay(400);
        }

        var result = await sending;
        Assert.True(result.Ok, result.Error);
        Assert.True(seen.Count >= 3, $"the sent-bytes counter moved {seen.Count} times while the connection was open: {string.Join(", ", seen)}");
        Assert.True(seen[^1] < total, $"{seen[^1]} of {total} bytes counted before the end");

        await Agent.Log.WaitForAccessAsync(r => r.Direction == "outbound" && r.SourceWorkload == "shop/client-a" && r.DestinationWorkload == "shop/web-b", TwoNodeMesh.Wait);
        var after = Agent.Collect();
        Assert.Equal(total, after.Point("istio_tcp_sent_bytes_total", series).Value);
        Assert.Equal(1, after.Point("istio_tcp_connections_closed_total", series).Value);
    }

    [RootFact]
    public async Task The_agent_reports_enrolment_certificates_maps_tunnels_and_runtime()
    {
        // A tunnelled connection first, so there is a pooled HBONE connection and a client handshake.
        await Mesh.SendAsync(Mesh.WebA, new IPEndPoint(Mesh.ApiB.Address, TwoNodeMesh.AppPort), "api-b", 64 << 10);
        await Agent.Log.WaitForAccessAsync(r => r.Direction == "outbound" && r.SourceWorkload == "shop/web-a" && r.DestinationWorkload == "shop/api-b", TwoNodeMesh.Wait);
        var batch = Agent.Collect();

        Assert.Equal(2, batch.Point("weft.workloads.enrolled").Value);
        Assert.Equal(2, batch.Point("weft.certificates").Value);
        foreach (var sa in new[] { "client", "web" })
        {
            var expiry = batch.Point("weft.certificate.expiry", ("identity", TwoNodeMesh.Principal("shop", sa))).Value;
            Assert.InRange(expiry, TimeSpan.FromHours(23).TotalSeconds, TimeSpan.FromHours(24).TotalSeconds);
        }

        Assert.True(batch.Point("weft.hbone.pool.connections").Value >= 1);
        Assert.True(batch.Point("weft.hbone.handshakes", ("side", "client"), ("result", "ok")).Value >= 1);

        // Every capture map reports its entries and its capacity.
        var capacities = batch.Points("weft.bpf.map.capacity");
        Assert.NotEmpty(capacities);
        foreach (var capacity in capacities)
        {
            var map = capacity.Tags["map"];
            Assert.True(capacity.Value > 0, $"map {map} has capacity {capacity.Value}");
            Assert.InRange(batch.Point("weft.bpf.map.entries", ("map", map)).Value, 0, capacity.Value);
        }

        // Runtime and process metrics come with it.
        Assert.True(batch.Point("dotnet.gc.collections", ("gc.heap.generation", "gen0")).Value >= 0);
        Assert.True(batch.Point("dotnet.process.memory.working_set").Value > 1 << 20);
    }

    [RootFact]
    public async Task A_denied_connection_counts_as_failed_with_deny_and_as_a_policy_denial()
    {
        var denialsBefore = Agent.Collect().ValueOrZero("weft.policy.denials", ("reason", "DenyPolicyMatched"));
        await fixture.ReconfigureAsync(DenyApi);
        try
        {
            var denied = await Mesh.ApiB.SendAsync(new IPEndPoint(Mesh.WebA.Address, TwoNodeMesh.AppPort), 4096, TwoNodeMesh.ReplyBytes);
            Assert.False(denied.Ok, "shop/api got through a DENY policy naming it");
            await Agent.Log.WaitForAccessAsync(r => r.Direction == "inbound" && r.SourceWorkload == "shop/api-b" && r.Result == "denied by DENY policy shop/deny-api", TwoNodeMesh.Wait);

            var batch = Agent.Collect();
            var failed = batch.Point("istio_tcp_connections_failed_total", ("reporter", "destination"), ("source_workload", "api-b"), ("destination_workload", "web-a"));
            Assert.Equal(1, failed.Value);
            Assert.Equal(("DENY", "mutual_tls", TwoNodeMesh.Principal("shop", "api")), (failed.Tags["response_flags"], failed.Tags["connection_security_policy"], failed.Tags["source_principal"]));
            Assert.Equal(0, batch.ValueOrZero("istio_tcp_connections_opened_total", ("source_workload", "api-b"), ("destination_workload", "web-a")));
            Assert.Equal(denialsBefore + 1, batch.Point("weft.policy.denials", ("reason", "DenyPolicyMatched")).Value);
        }
        finally
        {
            await fixture.ReconfigureAsync(null);
        }
    }

    /// <summary>What the probe server sends back: its digest line of what it received, then the reply.</summary>
    private static long ReplyOnTheWire(long served) =>
        $"{{\"bytes\":{served},\"sha256\":\"{new string('0', 64)}\"}}\n".Length + TwoNodeMesh.ReplyBytes;

    private static (string Key, string Value)[] Only(Dictionary<string, string> labels) => [.. labels.Select(kv => (kv.Key, kv.Value))];

    private static string? Tag(Activity span, string key) => span.GetTagItem(key)?.ToString();
}
