using System.Net;
using Microsoft.Extensions.Logging;
using Weft.Agent.Identity;
using Weft.Platform.Netns;
using Weft.Proxy;
using Weft.Workloads;

namespace Weft.Agent.Enrolment;

/// <summary>
/// Owns the set of enrolled pods: makes it match what the config asks for (enrolling,
/// releasing and re-enrolling pods one at a time, so one pod's failure never touches
/// another), and releases pods whose network namespace has gone.
/// </summary>
public sealed partial class PodReconciler(ProxyContext proxy, ILogger<PodReconciler> logger) : IAsyncDisposable
{
    private readonly Dictionary<string, PodProxy> pods = new(StringComparer.Ordinal);
    private readonly HashSet<string> missingNetns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Attempts, DateTime RetryAt)> failures = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim gate = new(1, 1);
    private LocalConfig? desired;
    private uint nextPodId;

    private System.Collections.Frozen.FrozenSet<string> enrolledSnapshot = System.Collections.Frozen.FrozenSet<string>.Empty;

    public int Count => EnrolledUids.Count;

    /// <summary>The pods enrolled after the last pass, safe to read from any thread (admin, metrics).</summary>
    public IReadOnlySet<string> EnrolledUids => Volatile.Read(ref enrolledSnapshot);

    public async Task ApplyAsync(LocalConfig config)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            desired = config;

            // A new config may be the fix: try failed pods again now, not at their backoff.
            failures.Clear();
            await ReconcileAsync().ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Periodic pass: drop pods whose namespace is gone, retry those that failed.</summary>
    public async Task CheckAsync()
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await ReconcileAsync().ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var uid in pods.Keys.ToList())
            {
                await ReleaseAsync(uid, "agent stopping").ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }

        gate.Dispose();
    }

    private async Task ReconcileAsync()
    {
        try
        {
            await ReconcileOnceAsync().ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref enrolledSnapshot, System.Collections.Frozen.FrozenSet.ToFrozenSet(pods.Keys, StringComparer.Ordinal));
        }
    }

    private async Task ReconcileOnceAsync()
    {
        if (desired is not { } config)
        {
            return;
        }

        var want = MeshMembership.EnrolledWorkloads(config).ToDictionary(w => w.Uid, StringComparer.Ordinal);
        foreach (var uid in failures.Keys.Where(u => !want.ContainsKey(u)).ToList())
        {
            failures.Remove(uid);
        }

        foreach (var (uid, pod) in pods.ToList())
        {
            if (!want.TryGetValue(uid, out var w))
            {
                await ReleaseAsync(uid, "no longer enrolled").ConfigureAwait(false);
            }
            else if (!pod.Netns.StillAtPath())
            {
                await ReleaseAsync(uid, "network namespace is gone").ConfigureAwait(false);
            }
            else if (!SamePod(pod.Pod, w))
            {
                await ReleaseAsync(uid, "netns or addresses changed").ConfigureAwait(false);
            }
            else if (pod.Pod.Identity != WorkloadIdentities.IdentityOf(config, w))
            {
                // New connections must carry the new identity; existing ones keep theirs.
                await ReleaseAsync(uid, "identity changed").ConfigureAwait(false);
            }
        }

        foreach (var (uid, w) in want)
        {
            if (pods.ContainsKey(uid))
            {
                continue;
            }

            // The config requires netns for this node's workloads; null here would mean a bug there.
            var netns = w.Netns ?? "";
            if (NetworkNamespace.CurrentInode(netns) is null)
            {
                // Said once per pod, not on every periodic pass.
                if (missingNetns.Add(uid))
                {
                    LogNetnsMissing(logger, uid, netns);
                }

                continue;
            }

            missingNetns.Remove(uid);
            if (failures.TryGetValue(uid, out var failure) && DateTime.UtcNow < failure.RetryAt)
            {
                continue;
            }

            try
            {
                var info = new PodInfo(uid, netns, w.Addresses, WorkloadIdentities.IdentityOf(config, w), w.ToPolicyWorkload());
                var proxyPod = await PodProxy.StartAsync(proxy, info, ++nextPodId).ConfigureAwait(false);
                pods[uid] = proxyPod;
                failures.Remove(uid);
                LogEnrolled(logger, uid, netns, proxyPod.NetnsCookie, w.Addresses);
            }
            catch (Exception e)
            {
                // Retry with backoff (2 s doubling to 64 s), so a pod that cannot be enrolled
                // neither floods the log nor costs a setns round every pass.
                var attempts = failure.Attempts + 1;
                var delay = TimeSpan.FromSeconds(Math.Min(64, 1 << Math.Min(attempts, 6)));
                failures[uid] = (attempts, DateTime.UtcNow + delay);
                LogEnrolFailed(logger, uid, attempts, delay.TotalSeconds, e.Message);
            }
        }
    }

    private async Task ReleaseAsync(string uid, string reason)
    {
        if (pods.Remove(uid, out var pod))
        {
            await pod.DisposeAsync().ConfigureAwait(false);
            LogReleased(logger, uid, reason);
        }
    }

    private static bool SamePod(PodInfo running, Workload w) =>
        running.NetnsPath == w.Netns && running.Addresses.SequenceEqual(w.Addresses, EqualityComparer<IPAddress>.Default);

    [LoggerMessage(EventId = 3001, EventName = "PodEnrolled", Level = LogLevel.Information, Message = "pod {Pod} enrolled (netns {Netns}, cookie {NetnsCookie}, addresses {Addresses})")]
    private static partial void LogEnrolled(ILogger logger, string pod, string netns, ulong netnsCookie, IReadOnlyList<IPAddress> addresses);

    [LoggerMessage(EventId = 3002, EventName = "PodReleased", Level = LogLevel.Information, Message = "pod {Pod} released: {Reason}")]
    private static partial void LogReleased(ILogger logger, string pod, string reason);

    [LoggerMessage(EventId = 3003, EventName = "PodEnrolFailed", Level = LogLevel.Error, Message = "pod {Pod} could not be enrolled (attempt {Attempt}, next in {RetrySeconds} s): {Error}")]
    private static partial void LogEnrolFailed(ILogger logger, string pod, int attempt, double retrySeconds, string error);

    [LoggerMessage(EventId = 3004, EventName = "PodNetnsMissing", Level = LogLevel.Warning, Message = "pod {Pod} is enrolled in the config but its network namespace {Netns} does not exist (yet)")]
    private static partial void LogNetnsMissing(ILogger logger, string pod, string netns);
}
