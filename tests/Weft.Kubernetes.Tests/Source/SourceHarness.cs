using System.Globalization;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Weft.Kubernetes.Source;
using Weft.Platform.Netns;
using Weft.Platform.Tests.Netns;
using Weft.Workloads;

namespace Weft.Kubernetes.Tests.Source;

/// <summary>
/// A <see cref="KubernetesWorkloadSource"/> over the real ClusterWatch against the stand-in API server, a real
/// <see cref="PodNetnsFinder"/> over a fake node's cgroup tree and /proc, and a settings file the test replaces.
/// </summary>
internal sealed class SourceHarness : IAsyncDisposable
{
    public const string Node = "node-a";

    private int nextPid = 100;

    public SourceHarness(TimeSpan? netnsRecheck = null)
    {
        Watch = new WatchHarness();
        FakeNode = new FakeNode();
        Settings = new FakeSettingsSource(new LocalConfig { Node = Node, SourcePath = "/etc/weft/config.yaml" });
        var finder = new PodNetnsFinder(FakeNode.Cgroups, NullLogger<PodNetnsFinder>.Instance, FakeNode.Proc);
        var options = new KubernetesSourceOptions { NetnsRecheck = netnsRecheck ?? TimeSpan.FromMilliseconds(100) };
        Source = new KubernetesWorkloadSource(Settings, Watch.Watch, finder, options, Logger);
    }

    public WatchHarness Watch { get; }

    public FakeNode FakeNode { get; }

    public FakeSettingsSource Settings { get; }

    public CapturingLogger<KubernetesWorkloadSource> Logger { get; } = new();

    public KubernetesWorkloadSource Source { get; }

    public Task StartAsync() => Source.StartAsync(CancellationToken.None);

    /// <summary>The pod's sandbox process in its own network namespace, in kubelet's systemd cgroup for a BestEffort pod; returns the namespace's path.</summary>
    public string AddSandbox(string podUid)
    {
        var pid = nextPid++;
        var netns = FakeNode.AddProcess(pid, startTime: (ulong)pid);
        FakeNode.AddCgroup(
            $"kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{podUid.Replace('-', '_')}.slice/cri-{pid.ToString(CultureInfo.InvariantCulture)}.scope",
            pid);
        return netns;
    }

    /// <summary>The pod's cgroup, with a cgroup.procs that cannot be read (an I/O error, as reading a cgroup being removed gives); returns the file.</summary>
    public string AddUnreadableCgroup(string podUid)
    {
        var dir = Path.GetDirectoryName(FakeNode.AddCgroup($"kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{podUid.Replace('-', '_')}.slice/x"))!;
        var procs = Path.Join(dir, "cgroup.procs");
        // A link to itself: opening it fails with ELOOP, an IOException like ENODEV's.
        File.CreateSymbolicLink(procs, procs);
        return procs;
    }

    /// <summary>The first config published (or the current one) for which the condition holds, within <see cref="WatchHarness.Patience"/>.</summary>
    public async Task<LocalConfig> UntilAsync(Func<LocalConfig, bool> condition)
    {
        using var cts = new CancellationTokenSource(WatchHarness.Patience);
        while (true)
        {
            // Ask for the next change before looking at Current, so a publish in between is not missed.
            var next = Source.NextChangeAsync(cts.Token);
            var current = Source.Current;
            if (condition(current))
            {
                return current;
            }

            try
            {
                await next;
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no config matched within {WatchHarness.Patience}; the last had workloads "
                    + $"[{string.Join(", ", current.Workloads.Select(w => $"{w} netns={w.Netns}"))}], services [{string.Join(", ", current.Services)}]");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        await Watch.DisposeAsync();
        FakeNode.Dispose();
    }

    /// <summary>A pod with a fixed uid (the netns finder looks for it by uid), on this node unless told otherwise.</summary>
    public static V1Pod Pod(string ns, string name, string uid, string ip, string node = Node)
    {
        var pod = WatchHarness.Pod(ns, name, node, ip);
        pod.Metadata.Uid = uid;
        pod.Status.QosClass = "BestEffort";
        return pod;
    }
}
