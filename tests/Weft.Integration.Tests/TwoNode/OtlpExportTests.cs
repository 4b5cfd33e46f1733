using System.Globalization;
using System.Net;
using Weft.Tests.Shared;
using Weft.Tests.Shared.Otlp;

namespace Weft.Integration.Tests.TwoNode;

/// <summary>
/// OTLP export end to end: both agents push traces and metrics to a receiver the test runs, once
/// per protocol the config offers (the subclasses below).
/// </summary>
public abstract class OtlpExportTests(OtlpExportFixture fixture)
{
    private protected TwoNodeMesh Mesh => fixture.Mesh;

    private protected OtlpCollector Receiver => fixture.Receiver;

    [RootFact]
    public async Task A_tunnelled_connection_is_one_trace_whose_inbound_span_is_the_child_of_the_outbound_one()
    {
        // client-a → web-b: only this test uses client-a, so its spans are the only ones from that source.
        var (probe, _) = await Mesh.SendAsync(Mesh.ClientA, new IPEndPoint(Mesh.WebB.Address, TwoNodeMesh.AppPort), "web-b");

        // Each side's span ends with its connection, when the agent writes the access record: wait for both
        // records first, so a missing span is told apart from a connection that has not ended.
        await TwoNodeMesh.OneAsync(Mesh.AgentA, r => r.Direction == "outbound" && r.SourceWorkload == "shop/client-a" && r.DestinationWorkload == "shop/web-b");
        await TwoNodeMesh.OneAsync(Mesh.AgentB, r => r.Direction == "inbound" && r.SourceWorkload == "shop/client-a" && r.DestinationWorkload == "shop/web-b");
        var outbound = Only(await Receiver.WaitForSpansAsync(s => s.Name == "weft.outbound" && s.Attribute("weft.source.workload") == "shop/client-a", 1, TwoNodeMesh.Wait));
        var inbound = Only(await Receiver.WaitForSpansAsync(s => s.Name == "weft.inbound" && s.Attribute("weft.source.workload") == "shop/client-a", 1, TwoNodeMesh.Wait));

        Assert.Equal((OtlpSpanKind.Client, "node-a", "weft-agent"), (outbound.Kind, outbound.ServiceInstanceId, outbound.Resource.GetValueOrDefault("service.name")));
        Assert.Equal((OtlpSpanKind.Server, "node-b", "weft-agent"), (inbound.Kind, inbound.ServiceInstanceId, inbound.Resource.GetValueOrDefault("service.name")));
        Assert.Equal(("shop/web-b", "mutual_tls"), (outbound.Attribute("weft.destination.workload"), outbound.Attribute("weft.connection.security")));
        Assert.Equal(("shop/web-b", TwoNodeMesh.Principal("shop", "client")), (inbound.Attribute("weft.destination.workload"), inbound.Attribute("weft.source.principal")));

        // One trace: it starts at the source agent, and the HBONE traceparent makes the destination's span its child.
        Assert.Matches("^[0-9a-f]{32}$", outbound.TraceId);
        Assert.NotEqual(new string('0', 32), outbound.TraceId);
        Assert.Matches("^[0-9a-f]{16}$", outbound.SpanId);
        Assert.Equal("", outbound.ParentSpanId);
        Assert.Equal(outbound.TraceId, inbound.TraceId);
        Assert.Equal(outbound.SpanId, inbound.ParentSpanId);
        Assert.NotEqual(outbound.SpanId, inbound.SpanId);

        // Both spans describe the whole connection: each counted every byte the probe sent.
        var sent = probe.Sent.ToString(CultureInfo.InvariantCulture);
        Assert.Equal((sent, sent), (outbound.Attribute("weft.bytes.sent"), inbound.Attribute("weft.bytes.sent")));
        Assert.Contains(Receiver.Requests, r => r.StartsWith($"POST {Receiver.TracesPath} ", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Both_agents_push_istios_tcp_metrics_and_their_own_over_otlp()
    {
        await Mesh.SendAsync(Mesh.WebA, new IPEndPoint(Mesh.ApiB.Address, TwoNodeMesh.AppPort), "api-b");

        foreach (var node in new[] { "node-a", "node-b" })
        {
            await Receiver.WaitForMetricAsync("istio_tcp_connections_opened_total", node, TwoNodeMesh.Wait);
            await Receiver.WaitForMetricAsync("weft.workloads.enrolled", node, TwoNodeMesh.Wait);
        }

        // Each signal went to its own path, in the protocol's framing, and the receiver took every export.
        var requests = Receiver.Requests;
        Assert.Contains(requests, r => r.StartsWith($"POST {Receiver.MetricsPath} {MetricsRequestShape} ", StringComparison.Ordinal));
        Assert.All(requests, r => Assert.True(Receiver.Accepted(r), $"export not taken: {r}"));
    }

    /// <summary>What follows the path in a metrics export's request line: the protocol's framing.</summary>
    private protected abstract string MetricsRequestShape { get; }

    private static OtlpSpan Only(IReadOnlyList<OtlpSpan> spans)
    {
        Assert.True(spans.Count == 1, $"{spans.Count} spans match, not one:\n{string.Join('\n', spans)}");
        return spans[0];
    }
}

/// <summary>OTLP/HTTP: protobuf bodies posted under the collector's path.</summary>
public sealed class OtlpHttpExportTests(OtlpHttpExportFixture fixture) : OtlpExportTests(fixture), IClassFixture<OtlpHttpExportFixture>
{
    private protected override string MetricsRequestShape => OtlpReceiver.ProtobufContentType;
}

/// <summary>OTLP/gRPC: unary Export calls over HTTP/2 (h2c), asking for trailers as gRPC requires.</summary>
public sealed class OtlpGrpcExportTests(OtlpGrpcExportFixture fixture) : OtlpExportTests(fixture), IClassFixture<OtlpGrpcExportFixture>
{
    private protected override string MetricsRequestShape => "HTTP/2 application/grpc te=trailers";
}
