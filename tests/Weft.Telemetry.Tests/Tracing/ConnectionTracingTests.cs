using System.Diagnostics;
using Weft.Telemetry.Tracing;

namespace Weft.Telemetry.Tests.Tracing;

/// <summary>The two sides' spans of one connection join one trace through the traceparent header.</summary>
public sealed class ConnectionTracingTests : IDisposable
{
    private readonly List<Activity> stopped = [];
    private readonly ActivityListener listener;

    public ConnectionTracingTests()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == WeftTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
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
    public void Without_a_span_the_header_is_a_fresh_unsampled_context()
    {
        var header = ConnectionTracing.TraceParentOf(null);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-00$", header);
        Assert.True(ActivityContext.TryParse(header, null, out var context));
        Assert.False(context.TraceFlags.HasFlag(ActivityTraceFlags.Recorded));
    }
}
