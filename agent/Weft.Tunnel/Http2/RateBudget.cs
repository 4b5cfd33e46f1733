namespace Weft.Tunnel.Http2;

/// <summary>
/// A token bucket: up to <c>burst</c> events at once, refilled at <c>perSecond</c>. It bounds how
/// fast a peer may make us do something that is legitimate now and then (reset a stream) but
/// costly in a loop. Not thread-safe: the connection's lock guards it.
/// </summary>
internal sealed class RateBudget(int burst, int perSecond)
{
    private double tokens = burst;
    private long refilledAt = Environment.TickCount64;

    /// <summary>Spends one token; false when the budget is exhausted.</summary>
    public bool TryTake(long nowMs)
    {
        tokens = Math.Min(burst, tokens + ((nowMs - refilledAt) * perSecond / 1000.0));
        refilledAt = nowMs;
        if (tokens < 1)
        {
            return false;
        }

        tokens--;
        return true;
    }
}
