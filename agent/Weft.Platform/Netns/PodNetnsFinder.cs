using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Weft.Platform.Host;

namespace Weft.Platform.Netns;

/// <summary>
/// Finds a Kubernetes pod's network namespace from the node alone, without a CNI plugin:
/// kubelet's cgroup for the pod (systemd or cgroupfs driver, any QoS class), the pod's
/// sandbox process in it, and that process's namespace. Runs per pod on a resync.
/// </summary>
public sealed partial class PodNetnsFinder
{
    // kind and k3s-in-docker nest kubepods one to three levels down; deeper is not kubelet's doing.
    private const int SearchDepth = 4;
    private const int MaxRememberedRoots = 16;
    private const int MaxHostNetworkLogged = 4096;

    private static readonly PodQosClass[] AllClasses = [PodQosClass.Guaranteed, PodQosClass.Burstable, PodQosClass.BestEffort];
    private static readonly SearchValues<char> UidChars =
        SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-");

    private static readonly EnumerationOptions Subdirectories = new()
    {
        RecurseSubdirectories = false,
        // The search looks for kubelet's tree; a part it cannot read is not kubelet's.
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
    };

    private readonly string searchRoot;
    private readonly string procRoot;
    private readonly ILogger<PodNetnsFinder> logger;
    private readonly KubepodsRoot[] standardRoots;
    private readonly Lock gate = new();
    private readonly ConcurrentDictionary<string, byte> hostNetworkLogged = new(StringComparer.Ordinal);
    private KubepodsRoot[] discoveredRoots = [];

    /// <param name="cgroupSearchRoot">Where kubelet's cgroups are looked for: the cgroup v2 mount, usually /sys/fs/cgroup.</param>
    /// <param name="logger">Debug events say why a pod was not found.</param>
    /// <param name="procRoot">The proc file system of the agent's (the host's) pid namespace.</param>
    public PodNetnsFinder(string cgroupSearchRoot, ILogger<PodNetnsFinder> logger, string procRoot = "/proc")
    {
        ArgumentException.ThrowIfNullOrEmpty(cgroupSearchRoot);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrEmpty(procRoot);
        searchRoot = Path.TrimEndingDirectorySeparator(cgroupSearchRoot);
        this.procRoot = Path.TrimEndingDirectorySeparator(procRoot);
        this.logger = logger;
        standardRoots = [new(Path.Join(searchRoot, "kubepods.slice"), Systemd: true), new(Path.Join(searchRoot, "kubepods"), Systemd: false)];
    }

    /// <summary>
    /// The pod's network namespace, or null when the pod has no cgroup or no live process yet
    /// (still starting, or gone: retry later) or is a hostNetwork pod (never enrolled).
    /// </summary>
    /// <param name="podUid">metadata.uid of the pod.</param>
    /// <param name="qos">status.qosClass if known: tried first, then the other classes; null tries all.</param>
    /// <exception cref="NetnsException">The agent lacks a privilege or a mount it needs; the message says which.</exception>
    public PodNetnsLocation? Find(string podUid, PodQosClass? qos)
    {
        ArgumentException.ThrowIfNullOrEmpty(podUid);
        // The uid becomes part of a path: nothing but a uid's characters may get there.
        if (podUid.Length > 64 || podUid.AsSpan().ContainsAnyExcept(UidChars))
        {
            throw new ArgumentException($"'{podUid}' is not a pod uid (letters, digits and '-')", nameof(podUid));
        }

        var cgroup = FindCgroup(podUid, qos);
        if (cgroup is null)
        {
            LogNoCgroup(logger, podUid, searchRoot);
            return null;
        }

        return FindNetns(podUid, cgroup);
    }

    private string? FindCgroup(string podUid, PodQosClass? qos)
    {
        if (!Directory.Exists(searchRoot))
        {
            throw new NetnsException($"the cgroup search root {searchRoot} does not exist: mount cgroup v2 there (mount -t cgroup2 none {searchRoot}) or configure the agent with the cgroup v2 mount point.");
        }

        // QoS is fixed for a pod's life, but a stale or wrong hint must not hide the pod: it only goes first.
        PodQosClass[] classes = qos is { } q ? [q, .. AllClasses.Where(c => c != q)] : AllClasses;
        var remembered = Volatile.Read(ref discoveredRoots);
        foreach (var root in remembered.Concat(standardRoots))
        {
            if (PodCgroupIn(root, podUid, classes) is { } found)
            {
                return found;
            }
        }

        // Not at a known place: kubelet may run with a --cgroup-root that nests kubepods deeper.
        // A pod still starting pays this search on each resync; it is bounded and prunes at each root.
        foreach (var root in SearchRoots(remembered))
        {
            if (PodCgroupIn(root, podUid, classes) is { } found)
            {
                Remember(root);
                return found;
            }
        }

        return null;
    }

    private static string? PodCgroupIn(KubepodsRoot root, string podUid, PodQosClass[] classes)
    {
        foreach (var qos in classes)
        {
            var path = root.PodCgroup(podUid, qos);
            if (Directory.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>Kubepods roots at most <see cref="SearchDepth"/> levels below the search root, depth first, not yet tried.</summary>
    private IEnumerable<KubepodsRoot> SearchRoots(KubepodsRoot[] remembered)
    {
        var stack = new Stack<(string Dir, int Depth)>();
        stack.Push((searchRoot, 0));
        while (stack.Count > 0)
        {
            var (dir, depth) = stack.Pop();
            foreach (var child in Children(dir))
            {
                if (KubepodsRoot.FromDirectory(child) is { } root)
                {
                    // Pods live below a root, never another root: no need to descend.
                    if (!remembered.Contains(root) && !standardRoots.Contains(root))
                    {
                        yield return root;
                    }
                }
                else if (depth + 1 < SearchDepth)
                {
                    stack.Push((child, depth + 1));
                }
            }
        }
    }

    private static string[] Children(string dir)
    {
        try
        {
            return Directory.GetDirectories(dir, "*", Subdirectories);
        }
        catch (DirectoryNotFoundException)
        {
            return []; // removed while searching
        }
    }

    private void Remember(KubepodsRoot root)
    {
        lock (gate)
        {
            if (!discoveredRoots.Contains(root))
            {
                discoveredRoots = [root, .. discoveredRoots.Take(MaxRememberedRoots - 1)];
            }
        }

        LogRootDiscovered(logger, root.Path, root.Systemd ? "systemd" : "cgroupfs");
    }

    private PodNetnsLocation? FindNetns(string podUid, string cgroup)
    {
        var pids = CgroupProcs.Read(cgroup);
        var candidates = new List<(ulong StartTime, int Pid)>(pids.Count);
        var invisible = 0;
        foreach (var pid in pids)
        {
            if (pid <= 0)
            {
                invisible++;
            }
            else if (ProcStat.TryRead(procRoot, pid) is { IsDead: false } stat)
            {
                candidates.Add((stat.StartTime, pid));
            }
        }

        if (candidates.Count == 0 && invisible > 0)
        {
            throw new NetnsException($"the processes of pod {podUid} (cgroup {cgroup}) are outside the agent's pid namespace (cgroup.procs lists them as 0): run the agent in the host's pid namespace (hostPID: true).");
        }

        // The earliest process is the pod's sandbox ("pause"): its namespace lives as long as the pod.
        candidates.Sort();
        ulong[]? host = null;
        foreach (var (startTime, pid) in candidates)
        {
            var path = Path.Join(procRoot, pid.ToString(CultureInfo.InvariantCulture), "ns", "net");
            ulong inode;
            try
            {
                using var ns = NetworkNamespace.Open(path);
                inode = ns.Inode;
            }
            catch (NetnsException e) when (e.InnerException is UnauthorizedAccessException)
            {
                throw new NetnsException($"cannot open {path} (process {pid} of pod {podUid}): permission denied. Opening another process's network namespace needs root or CAP_SYS_PTRACE (run the agent as a privileged DaemonSet pod).", e);
            }
            catch (NetnsException e) when (e.InnerException is FileNotFoundException or DirectoryNotFoundException || !StillRunning(pid, startTime))
            {
                // ENOENT: an exiting process drops its namespaces before stat shows it as a zombie.
                LogProcessGone(logger, podUid, pid);
                continue;
            }

            // The pid may have exited and been reused by an unrelated process before the open.
            if (!StillRunning(pid, startTime))
            {
                LogProcessGone(logger, podUid, pid);
                continue;
            }

            host ??= HostNetnsInodes();
            if (host.Contains(inode))
            {
                if (hostNetworkLogged.Count >= MaxHostNetworkLogged)
                {
                    hostNetworkLogged.Clear();
                }

                if (hostNetworkLogged.TryAdd(podUid, 0))
                {
                    LogHostNetwork(logger, podUid, pid);
                }

                return null;
            }

            LogFound(logger, podUid, path, inode, pid, cgroup);
            return new PodNetnsLocation(cgroup, pid, path, inode);
        }

        LogNoProcess(logger, podUid, cgroup);
        return null;
    }

    private bool StillRunning(int pid, ulong startTime) =>
        ProcStat.TryRead(procRoot, pid) is { IsDead: false } stat && stat.StartTime == startTime;

    /// <summary>The agent's namespace and init's: a pod process in either is not in a pod network namespace.</summary>
    private ulong[] HostNetnsInodes()
    {
        var selfPath = Path.Join(procRoot, "self", "ns", "net");
        var self = NetworkNamespace.CurrentInode(selfPath)
            ?? throw new NetnsException($"cannot stat {selfPath}: the agent needs the proc file system mounted at {procRoot}.");
        // Unreadable without privilege, or another namespace's init; the agent's own still counts then.
        return NetworkNamespace.CurrentInode(Path.Join(procRoot, "1", "ns", "net")) is { } init && init != self ? [self, init] : [self];
    }
}
