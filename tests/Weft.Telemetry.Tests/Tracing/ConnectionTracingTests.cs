using System.Diagnostics;
using Weft.Telemetry.Tracing;

namespace Weft.Telemetry.Tests.Tracing;

/// <summary>The two sides' spans of one connection join one trace through the traceparent header.</summary>
public sealed class ConnectionTracingTests : IDisposable
{
    private readonly List<Activity> stopped = [];
    private readonly ActivityListener listener;
    private ActivitySamplingResult decision = ActivitySamplingResult.AllDataAndRecorded;

    public ConnectionTracingTests()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == WeftTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => decision,
            ActivityStopped = a =>
            {
                lock (stopped)
                {
                    stopped.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
    }

    public void Dispose() => listener.Dispose();

    [Fact]
    public void The_inbound_span_is_a_child_of_the_outbound_span_in_the_same_trace()
    {
        var outbound = ConnectionTracing.StartOutbound();
        Assert.NotNull(outbound);
        var header = ConnectionTracing.TraceParentOf(outbound);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", header);

        // The other agent, later, with only the header.
        Activity.Current = null;
        var inbound = ConnectionTracing.StartInbound(header);
        Assert.NotNull(inbound);
        Assert.Equal((outbound.TraceId, outbound.SpanId, ActivityKind.Server), (inbound.TraceId, inbound.ParentSpanId, inbound.Kind));
        Assert.Equal(ActivityKind.Client, outbound.Kind);
        inbound.Dispose();
        outbound.Dispose();
        Assert.Equal(2, stopped.Count(a => a.TraceId == outbound.TraceId));
    }

    [Fact]
    public void A_missing_or_malformed_traceparent_starts_a_new_trace()
    {
        Activity.Current = null;
        using var fromGarbage = ConnectionTracing.StartInbound("not-a-traceparent");
        Assert.NotNull(fromGarbage);
        Assert.Equal(default, fromGarbage.ParentSpanId);
        Activity.Current = null;
        using var fromNothing = ConnectionTracing.StartInbound(null);
        Assert.NotEqual(fromGarbage.TraceId, fromNothing!.TraceId);
    }

    [Fact]
    public void A_span_the_sampler_dropped_is_not_kept_for_the_connection()
    {
        // What the OpenTelemetry SDK answers for a dropped span: an Activity for propagation only.
        decision = ActivitySamplingResult.PropagationData;
        using var ambient = new Activity("ambient").Start();
        Assert.Null(ConnectionTracing.StartOutbound());
        Assert.Same(ambient, Activity.Current);
        Assert.Null(ConnectionTracing.StartInbound("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"));
        Assert.Same(ambient, Activity.Current);

        // Recorded but not sampled (RecordOnly) is still a span: kept.
        decision = ActivitySamplingResult.AllData;
        using var recordOnly = ConnectionTracing.StartOutbound();
        Assert.NotNull(recordOnly);
        Assert.True(recordOnly.IsAllDataRequested);
    }

    [Fact]
    public void Without_a_span_the_header_is_a_fresh_unsampled_context()
    {
        var header = ConnectionTracing.TraceParentOf(null);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-00$", header);
        Assert.True(ActivityContext.TryParse(header, null, out var context));
        Assert.False(context.TraceFlags.HasFlag(ActivityTraceFlags.Recorded));
    }
}
