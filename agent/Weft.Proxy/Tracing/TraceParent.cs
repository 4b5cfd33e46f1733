using System.Diagnostics;

namespace Weft.Proxy.Tracing;

/// <summary>W3C trace context for the HBONE <c>traceparent</c> header.</summary>
public static class TraceParent
{
    /// <summary>The current activity's context when there is one, else a new trace (sampled) for this connection.</summary>
    public static string NewRoot()
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } current)
        {
            return current.Id!;
        }

        return $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
    }
}
