namespace Weft.Identity;

/// <summary>Exponential backoff with subtractive jitter: never longer than the cap.</summary>
internal static class RetryBackoff
{
    /// <param name="failures">Consecutive failures so far (1 after the first).</param>
    /// <param name="random01">A uniform sample in [0, 1).</param>
    public static TimeSpan Delay(int failures, CertificateManagerOptions options, double random01)
    {
        var exponent = Math.Min(Math.Max(failures - 1, 0), 30);
        var raw = options.InitialRetryDelay.TotalMilliseconds * Math.Pow(2, exponent);
        var capped = Math.Min(raw, options.MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (1 - (options.RetryJitter * random01)));
    }
}
