namespace Weft.Identity;

/// <summary>The certificate state of one identity in the manager; guarded by the manager's lock.</summary>
internal sealed class ManagedIdentity(SpiffeId id)
{
    public SpiffeId Id { get; } = id;

    /// <summary>Cancelled when the identity is forgotten: stops its in-flight request.</summary>
    public CancellationTokenSource Stop { get; } = new();

    public WorkloadCertificate? Current { get; set; }

    /// <summary>The request under way, shared by everyone waiting for this identity.</summary>
    public Task<WorkloadCertificate>? Pending { get; set; }

    /// <summary>The renewal or retry to come.</summary>
    public ITimer? Timer { get; set; }

    /// <summary>What <see cref="Timer"/> is for; a firing whose state is not this one is stale and ignored.</summary>
    public ScheduledAttempt? Scheduled { get; set; }

    public int Failures { get; set; }

    public Exception? LastError { get; set; }

    public DateTimeOffset RetryAt { get; set; }

    public bool ExpiryReported { get; set; }

    public bool Forgotten { get; set; }
}
