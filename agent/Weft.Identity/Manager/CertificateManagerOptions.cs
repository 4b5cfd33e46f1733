namespace Weft.Identity;

/// <summary>How long certificates live and how failed requests are retried.</summary>
public sealed record CertificateManagerOptions
{
    /// <summary>Lifetime asked of the CA; renewal starts at half of what the CA actually grants.</summary>
    public TimeSpan CertificateTtl { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Delay after the first failure; doubled after each further one.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(150);

    /// <summary>Up to this fraction of each delay is taken off at random, so agents restarted together spread out.</summary>
    public double RetryJitter { get; init; } = 0.2;

    public static CertificateManagerOptions From(IdentityOptions identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return new CertificateManagerOptions { CertificateTtl = identity.CertificateTtl };
    }

    internal void Validate()
    {
        if (CertificateTtl <= TimeSpan.Zero || InitialRetryDelay <= TimeSpan.Zero || MaxRetryDelay < InitialRetryDelay)
        {
            throw new ArgumentException("certificate ttl and retry delays must be positive, with the maximum delay at least the initial one");
        }

        if (RetryJitter is < 0 or >= 1)
        {
            throw new ArgumentException($"retry jitter must be in [0, 1), got {RetryJitter}");
        }
    }
}
