using System.Diagnostics;

namespace Weft.Telemetry.Tracing;

/// <summary>
/// One span per proxied connection on each side. The source's span context travels in the HBONE
/// <c>traceparent</c> header, so the destination's span joins the same trace.
/// </summary>
public static class ConnectionTracing
{
    /// <summary>The agent's <see cref="ActivitySource"/> (named <see cref="WeftTelemetry.Name"/>); spans exist only when a listener (the OpenTelemetry SDK) samples them.</summary>
    public static ActivitySource Source { get; } = new(WeftTelemetry.Name);

    /// <summary>Starts the span of a connection accepted from an application in an enrolled pod (null when not sampled).</summary>
    public static Activity? StartOutbound() => KeepIfRecording(Source.StartActivity("weft.outbound", ActivityKind.Client));

    /// <summary>Starts the span of an inbound connection, as a child of the client's span when its traceparent parses (null when not sampled).</summary>
    public static Activity? StartInbound(string? traceParent)
    {
        var parent = traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;
        return KeepIfRecording(Source.StartActivity("weft.inbound", ActivityKind.Server, parent));
    }

    /// <summary>
    /// The OpenTelemetry SDK hands back a span its sampler dropped too (propagation only), and a
    /// connection's span lives as long as the connection: held, with Activity.Current captured by
    /// every continuation, it cost each idle connection about half a KiB for nothing. Such a span
    /// ends here; the connection then sends a fresh unsampled context (<see cref="TraceParentOf"/>),
    /// which tells the next hop the same thing.
    /// </summary>
    private static Activity? KeepIfRecording(Activity? activity)
    {
        if (activity is null || activity.IsAllDataRequested)
        {
            return activity;
        }

        activity.Stop(); // restores Activity.Current
        return null;
    }

    /// <summary>The W3C traceparent to send for <paramref name="activity"/>, or a fresh unsampled one when there is no span.</summary>
    public static string TraceParentOf(Activity? activity) =>
        activity is { IdFormat: ActivityIdFormat.W3C, Id: { } id }
            ? id
            : $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00";
}
