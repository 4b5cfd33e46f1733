namespace Weft.Lab;

/// <summary>A simulated node: a cgroup v2 directory that holds its pods' cgroups (where the agent attaches).</summary>
public sealed class LabNode
{
    internal LabNode(Lab lab, string name, string cgroupPath)
    {
        Lab = lab;
        Name = name;
        CgroupPath = cgroupPath;
    }

    public Lab Lab { get; }

    public string Name { get; }

    /// <summary>/sys/fs/cgroup/unified/weft-&lt;id&gt;-&lt;name&gt;.</summary>
    public string CgroupPath { get; }

    /// <summary>
    /// Loopback ports for this node's agent endpoints (Prometheus, readiness, admin): every node's
    /// agent runs in the host's namespace, so each needs its own, never the default 15020/15021/15000.
    /// </summary>
    public (int Metrics, int Readiness, int Admin) TelemetryPorts { get; } = (FreePort(), FreePort(), FreePort());

    public IReadOnlyList<LabPod> Pods => [.. Lab.Pods.Where(p => p.Node == this)];

    /// <summary>
    /// cgroup of the node's host processes (the agent, as a DaemonSet pod would be): under the
    /// node's cgroup, so the capture programs see its sockets too. '_' keeps it apart from pod names.
    /// </summary>
    public string HostCgroupPath => Path.Combine(CgroupPath, "_host");

    /// <summary>
    /// Starts a process on the node itself: the host's network namespace, the node's host cgroup.
    /// </summary>
    public LabProcess StartOnHost(string file, params string[] args) => Lab.StartOnHost(this, file, args);

    public override string ToString() => $"node {Name} ({CgroupPath})";

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }
}
