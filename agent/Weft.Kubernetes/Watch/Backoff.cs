namespace Weft.Kubernetes.Watch;

/// <summary>Jittered exponential retry delays, so agents on many nodes do not hit a recovering API server in step.</summary>
internal static class Backoff
{
    /// <summary>min·2^(failures-1), capped at max, then scaled by a random factor in [0.5, 1.0].</summary>
    public static TimeSpan For(int failures, TimeSpan min, TimeSpan max)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var raw = Math.Min(min.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        return Jitter(TimeSpan.FromMilliseconds(raw));
    }

    public static TimeSpan Jitter(TimeSpan delay)
    {
#pragma warning disable CA5394 // Spreading retries needs no cryptographic randomness.
        var factor = 0.5 + (Random.Shared.NextDouble() * 0.5);
#pragma warning restore CA5394
        return TimeSpan.FromMilliseconds(delay.TotalMilliseconds * factor);
    }
}
