using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Weft.Identity;

/// <summary>
/// Keeps one certificate per identity present on the node: requested on first use or by <see cref="Prefetch"/>,
/// renewed at half its lifetime, retried with exponential backoff on failure while the still-valid certificate
/// keeps being served, dropped by <see cref="Forget"/>. Each key is generated in process and never leaves it.
/// </summary>
public sealed class CertificateManager : IDisposable
{
    /// <summary>
    /// The longest a timer is armed for. System timers refuse more than about 49.7 days, and a half-life can be
    /// half of 366 days; a longer wait is a chain of these, each re-checking whether the attempt is due.
    /// </summary>
    internal static readonly TimeSpan MaxTimerDelay = TimeSpan.FromDays(1);

    private readonly ICertificateAuthorityClient _ca;
    private readonly CertificateManagerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<SpiffeId, ManagedIdentity> _identities = [];
    private bool _disposed;

    public CertificateManager(ICertificateAuthorityClient ca, CertificateManagerOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(ca);
        _ca = ca;
        _options = options ?? new CertificateManagerOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Raised after a renewal replaced a certificate (not for the first one of an identity).</summary>
    public event EventHandler<CertificateRotatedEventArgs>? Rotated;

    /// <summary>Raised after each failed attempt, once the retry is scheduled.</summary>
    public event EventHandler<CertificateIssueFailedEventArgs>? IssueFailed;

    /// <summary>The identities being kept.</summary>
    public IReadOnlyCollection<SpiffeId> Identities
    {
        get
        {
            lock (_lock)
            {
                return [.. _identities.Keys];
            }
        }
    }

    /// <summary>
    /// The identity's valid certificate, waiting for the request under way if there is none yet (concurrent callers
    /// share one request). While retries back off with no valid certificate, fails at once with the last error.
    /// </summary>
    public Task<WorkloadCertificate> GetAsync(SpiffeId id, CancellationToken ct = default)
    {
        ThrowIfEmpty(id);
        Task<WorkloadCertificate> pending;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var entry = GetOrAdd(id, out _);
            if (entry.Current is { } current && _time.GetUtcNow() < current.NotAfter)
            {
                return Task.FromResult(current);
            }

            if (entry.Pending is not null)
            {
                pending = entry.Pending;
            }
            else if (entry.LastError is { } error)
            {
                return Task.FromException<WorkloadCertificate>(new CertificateAuthorityException(
                    $"no valid certificate for {id}: the last request failed ({error.Message}); next attempt at {entry.RetryAt:u}", error));
            }
            else
            {
                pending = Start(entry);
            }
        }

        return pending.WaitAsync(ct);
    }

    /// <summary>The current certificate if there is a valid one, without waiting or requesting.</summary>
    public WorkloadCertificate? TryGetCurrent(SpiffeId id)
    {
        lock (_lock)
        {
            return _identities.TryGetValue(id, out var entry) && entry.Current is { } c && _time.GetUtcNow() < c.NotAfter ? c : null;
        }
    }

    /// <summary>Starts requesting certificates for identities not kept yet, so local workloads have one before their first connection.</summary>
    public void Prefetch(IEnumerable<SpiffeId> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var id in ids)
            {
                ThrowIfEmpty(id);
                var entry = GetOrAdd(id, out var added);
                if (added)
                {
                    Start(entry);
                }
            }
        }
    }

    /// <summary>Stops keeping <paramref name="id"/> (no local workload uses it any more). False if it was not kept.</summary>
    public bool Forget(SpiffeId id)
    {
        lock (_lock)
        {
            if (!_identities.Remove(id, out var entry))
            {
                return false;
            }

            Retire(entry);
        }

        IdentityLog.Forgotten(_logger, id);
        return true;
    }

    private ManagedIdentity GetOrAdd(SpiffeId id, out bool added)
    {
        added = !_identities.TryGetValue(id, out var entry);
        if (added)
        {
            entry = new ManagedIdentity(id);
            _identities.Add(id, entry);
        }

        return entry!;
    }

    // Under the lock. The request runs on the thread pool so that timer callbacks and callers return at once.
    private Task<WorkloadCertificate> Start(ManagedIdentity entry)
    {
        entry.Timer?.Dispose();
        entry.Timer = null;
        entry.Scheduled = null;
        var task = Task.Run(() => RequestAsync(entry));
        entry.Pending = task;

        // Failures are logged and retried; nobody else may be waiting to observe them.
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    private async Task<WorkloadCertificate> RequestAsync(ManagedIdentity entry)
    {
        WorkloadCertificate? issued = null;
        Exception? failure = null;
        try
        {
            issued = await IssueAsync(entry.Id, entry.Stop.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
        }

        return Complete(entry, issued, failure);
    }

    private async Task<WorkloadCertificate> IssueAsync(SpiffeId id, CancellationToken ct)
    {
        using var key = SigningRequest.NewKey();
        var csr = SigningRequest.Create(id, key);
        var chain = await _ca.SignAsync(id, csr, _options.CertificateTtl, ct).ConfigureAwait(false);

        // Whatever the source, the leaf must name this identity, hold our key, and verify as a peer would verify it.
        IssuedLeafCheck.Check(id, chain.Leaf, key.ExportSubjectPublicKeyInfo());
        var verdict = PeerVerifier.Verify(chain.Leaf, chain.Intermediates, chain.Roots, id.TrustDomain, [id], _time.GetUtcNow());
        if (!verdict.Succeeded)
        {
            throw new CertificateAuthorityException($"the certificate issued for {id} does not verify against the CA's own chain: {verdict.Message}");
        }

        return WorkloadCertificate.FromIssued(id, chain, key);
    }

    private WorkloadCertificate Complete(ManagedIdentity entry, WorkloadCertificate? issued, Exception? failure)
    {
        WorkloadCertificate? previous = null;
        CertificateIssueFailedEventArgs? failed = null;
        lock (_lock)
        {
            entry.Pending = null;
            if (entry.Forgotten)
            {
                return issued ?? throw new OperationCanceledException($"{entry.Id} was forgotten while its certificate was requested", failure);
            }

            var now = _time.GetUtcNow();
            if (issued is not null)
            {
                previous = entry.Current;
                entry.Current = issued;
                (entry.Failures, entry.LastError, entry.ExpiryReported) = (0, null, false);
                var renewAt = now + ((issued.NotAfter - now) / 2);
                Schedule(entry, renewAt, now);
                IdentityLog.CertificateIssued(_logger, entry.Id, issued.NotAfter, renewAt);
            }
            else
            {
                entry.Failures++;
                entry.LastError = failure;
                entry.RetryAt = now + RetryBackoff.Delay(entry.Failures, _options, Random.Shared.NextDouble());
                Schedule(entry, entry.RetryAt, now);
                var current = entry.Current;
                IdentityLog.IssueFailed(_logger, entry.Id, entry.Failures, entry.RetryAt, current?.NotAfter.ToString("u", null) ?? "(none)", failure!.Message);
                if (current is not null && now >= current.NotAfter && !entry.ExpiryReported)
                {
                    entry.ExpiryReported = true;
                    IdentityLog.CertificateExpired(_logger, entry.Id, current.NotAfter);
                }

                failed = new CertificateIssueFailedEventArgs(entry.Id, failure, entry.Failures, entry.RetryAt, current);
            }
        }

        if (issued is null)
        {
            Raise(IssueFailed, failed!, entry.Id);
            ExceptionDispatchInfo.Throw(failure!);
        }

        if (previous is not null)
        {
            Raise(Rotated, new CertificateRotatedEventArgs(previous, issued), entry.Id);
        }

        return issued;
    }

    // Under the lock.
    private void Schedule(ManagedIdentity entry, DateTimeOffset dueAt, DateTimeOffset now)
    {
        entry.Timer?.Dispose();
        var delay = dueAt > now ? dueAt - now : TimeSpan.Zero;
        var capped = delay > MaxTimerDelay;
        var scheduled = new ScheduledAttempt(entry, dueAt, capped);
        entry.Scheduled = scheduled;
        entry.Timer = _time.CreateTimer(OnTimer, scheduled, capped ? MaxTimerDelay : delay, Timeout.InfiniteTimeSpan);
    }

    private void OnTimer(object? state)
    {
        var scheduled = (ScheduledAttempt)state!;
        var entry = scheduled.Entry;
        lock (_lock)
        {
            if (entry.Forgotten || entry.Pending is not null || !ReferenceEquals(entry.Scheduled, scheduled))
            {
                return;
            }

            // Only a capped timer re-checks the clock: an uncapped one is due by construction, even if it fired a
            // tick early by the clock's rounding.
            if (scheduled.Capped)
            {
                Schedule(entry, scheduled.DueAt, _time.GetUtcNow());
            }
            else
            {
                Start(entry);
            }
        }
    }

    // Subscribers run outside the lock; one that throws is logged and does not stop the others' renewals.
    private void Raise<T>(EventHandler<T>? handler, T args, SpiffeId id)
    {
        if (handler is null)
        {
            return;
        }

        foreach (var h in handler.GetInvocationList().Cast<EventHandler<T>>())
        {
            try
            {
                h(this, args);
            }
            catch (Exception e)
            {
                IdentityLog.EventHandlerFailed(_logger, id, e);
            }
        }
    }

    private static void Retire(ManagedIdentity entry)
    {
        entry.Forgotten = true;
        entry.Timer?.Dispose();
        entry.Timer = null;
        entry.Scheduled = null;
        entry.Stop.Cancel();
    }

    private static void ThrowIfEmpty(SpiffeId id)
    {
        if (id.IsEmpty)
        {
            throw new ArgumentException("an empty SPIFFE ID has no certificate", nameof(id));
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var entry in _identities.Values)
            {
                Retire(entry);
            }

            _identities.Clear();
        }
    }
}
