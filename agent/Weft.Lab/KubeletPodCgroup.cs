using System.Security.Cryptography;
using Weft.Platform.Netns;

namespace Weft.Lab;

/// <summary>
/// Lays a lab pod's cgroup out as kubelet does, below the node's cgroup: the pod's cgroup in
/// kubelet's tree, a sandbox container cgroup (where <see cref="LabPod.StartPause"/> runs) and an
/// app container cgroup (where <see cref="LabPod.Start"/> runs), as containerd names them.
/// </summary>
/// <param name="Uid">The pod's metadata.uid.</param>
/// <param name="Qos">Its QoS class, which picks the branch of kubelet's tree.</param>
/// <param name="Driver">kubelet's --cgroup-driver.</param>
public sealed record KubeletPodCgroup(string Uid, PodQosClass Qos, CgroupDriver Driver = CgroupDriver.Systemd)
{
    private const int MaxRootNames = 3;

    /// <summary>A random uid in Kubernetes' format (a UUID).</summary>
    public static string NewUid() => Guid.NewGuid().ToString();

    /// <summary>
    /// kubelet's --cgroup-root as cgroup names, outermost first; empty puts kubepods straight below
    /// the node. ["kubelet"] is kind's: /kubelet.slice/kubelet-kubepods.slice/… with systemd,
    /// /kubelet/kubepods/… with cgroupfs.
    /// </summary>
    public IReadOnlyList<string> CgroupRoot { get; init; } = [];

    /// <summary>The app container's id (64 hex digits, random unless given).</summary>
    public string ContainerId { get; init; } = NewContainerId();

    /// <summary>The sandbox ("pause") container's id.</summary>
    public string SandboxId { get; init; } = NewContainerId();

    /// <summary>The pod's cgroup relative to the node's, '/'-separated.</summary>
    public string PodCgroup => string.Join('/', PodLevels());

    /// <summary>The app container's cgroup relative to the node's.</summary>
    public string ContainerCgroup => $"{PodCgroup}/{ContainerDir(ContainerId)}";

    /// <summary>The sandbox container's cgroup relative to the node's.</summary>
    public string SandboxCgroup => $"{PodCgroup}/{ContainerDir(SandboxId)}";

    internal void Check()
    {
        if (string.IsNullOrEmpty(Uid) || Uid.Length > 64 || !Uid.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ArgumentException($"pod uid '{Uid}' must be letters, digits and '-'", nameof(Uid));
        }

        if (CgroupRoot.Count > MaxRootNames || CgroupRoot.Any(n => n.Length == 0 || !n.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))))
        {
            throw new ArgumentException($"the cgroup root takes at most {MaxRootNames} names of a-z and 0-9", nameof(CgroupRoot));
        }

        foreach (var id in new[] { ContainerId, SandboxId })
        {
            if (id.Length != 64 || !id.All(char.IsAsciiHexDigitLower))
            {
                throw new ArgumentException($"container id '{id}' must be 64 lower-case hex digits", nameof(ContainerId));
            }
        }
    }

    /// <summary>
    /// Directory names from the node's cgroup down to the pod's. Written after kubelet's CgroupName
    /// (ToSystemd/ToCgroupfs), not after the agent's finder, so tests of the one check the other.
    /// </summary>
    private List<string> PodLevels()
    {
        List<string> names = [.. CgroupRoot, "kubepods"];
        if (Qos != PodQosClass.Guaranteed)
        {
            names.Add(Qos == PodQosClass.Burstable ? "burstable" : "besteffort");
        }

        names.Add("pod" + Uid);
        if (Driver == CgroupDriver.Cgroupfs)
        {
            return names;
        }

        // systemd: each level is a slice named by all names down to it, '-'-joined, with '-' inside a name escaped to '_'.
        var escaped = names.Select(n => n.Replace('-', '_')).ToList();
        return [.. Enumerable.Range(1, escaped.Count).Select(n => string.Join('-', escaped.Take(n)) + ".slice")];
    }

    private string ContainerDir(string id) => Driver == CgroupDriver.Systemd ? $"cri-containerd-{id}.scope" : id;

    private static string NewContainerId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
