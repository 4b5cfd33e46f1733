namespace Weft.Identity;

/// <summary>A renewed certificate replaced <see cref="Previous"/>; servers should switch to <see cref="Current"/>.</summary>
public sealed class CertificateRotatedEventArgs(WorkloadCertificate previous, WorkloadCertificate current) : EventArgs
{
    public SpiffeId Identity => Current.Identity;

    public WorkloadCertificate Previous { get; } = previous;

    public WorkloadCertificate Current { get; } = current;
}

/// <summary>An attempt to obtain a certificate failed; the next one is at <see cref="RetryAt"/>.</summary>
public sealed class CertificateIssueFailedEventArgs(SpiffeId identity, Exception error, int attempt, DateTimeOffset retryAt, WorkloadCertificate? current) : EventArgs
{
    public SpiffeId Identity { get; } = identity;

    public Exception Error { get; } = error;

    /// <summary>Consecutive failures including this one.</summary>
    public int Attempt { get; } = attempt;

    public DateTimeOffset RetryAt { get; } = retryAt;

    /// <summary>The certificate still served meanwhile (null when there is none yet).</summary>
    public WorkloadCertificate? Current { get; } = current;
}
