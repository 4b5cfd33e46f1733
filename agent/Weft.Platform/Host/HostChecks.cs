using Tmds.Linux;

namespace Weft.Platform.Host;

/// <summary>
/// Checks what the agent needs from the host before it touches anything, so that each
/// missing piece is reported as one clear sentence saying how to fix it.
/// </summary>
public static class HostChecks
{
    private const long Cgroup2SuperMagic = 0x63677270;
    private const long BpfFsMagic = 0xcafe4a11;

    /// <summary>sk_lookup (5.9), SO_NETNS_COOKIE (5.14) and netns cookies in sockops (5.15+).</summary>
    public static readonly Version MinimumKernel = new(5, 15);

    public static void RequireRoot()
    {
        if (LibC.geteuid() != 0)
        {
            throw new HostRequirementException(
                "weft agent must run as root (it loads eBPF programs and enters pod network namespaces): run it with sudo, or in Kubernetes as a privileged DaemonSet.");
        }
    }

    public static void RequireKernel(string? release = null)
    {
        release ??= File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        var version = ParseKernelVersion(release);
        if (version is null || version < MinimumKernel)
        {
            throw new HostRequirementException(
                $"Linux {MinimumKernel} or newer is needed (sk_lookup, netns cookies in sockops), but this kernel is {release}: upgrade the node's kernel.");
        }
    }

    /// <summary>
    /// The cgroup v2 directory to attach to: <paramref name="configured"/>, or the root of the
    /// host's cgroup v2 mount when none is configured.
    /// </summary>
    public static string ResolveCgroupRoot(string? configured)
    {
        if (configured is not null)
        {
            RequireCgroup2(configured);
            return configured;
        }

        var mount = CgroupId.Cgroup2Mount() ?? throw new HostRequirementException(
            "No cgroup v2 file system is mounted: mount one (mount -t cgroup2 none /sys/fs/cgroup/unified; in Kubernetes, mount the host's /sys/fs/cgroup into the agent) or set cgroupRoot.");
        RequireCgroup2(mount);
        return mount;
    }

    public static void RequireCgroup2(string cgroupRoot)
    {
        if (!Directory.Exists(cgroupRoot))
        {
            throw new HostRequirementException(
                $"The cgroup root {cgroupRoot} does not exist: mount cgroup v2 (mount -t cgroup2 none /sys/fs/cgroup/unified) or set cgroupRoot to a directory of the cgroup v2 hierarchy.");
        }

        if (NativeMethods.statfs(cgroupRoot, out var fs) != 0 || fs.f_type != Cgroup2SuperMagic)
        {
            throw new HostRequirementException(
                $"{cgroupRoot} is not on a cgroup v2 file system: the capture programs attach to cgroup v2 only; set cgroupRoot to a directory under the cgroup2 mount (see /proc/mounts).");
        }
    }

    public static void RequireBpffs(string bpffs = "/sys/fs/bpf")
    {
        if (!Directory.Exists(bpffs) || NativeMethods.statfs(bpffs, out var fs) != 0 || fs.f_type != BpfFsMagic)
        {
            throw new HostRequirementException(
                $"No BPF file system at {bpffs}: mount it with 'mount -t bpf bpf {bpffs}' (in Kubernetes, mount the host's {bpffs} into the agent).");
        }
    }

    public static Version? ParseKernelVersion(string release)
    {
        ArgumentNullException.ThrowIfNull(release);
        var parts = release.Split('.', '-', '+');
        return parts.Length >= 2 && int.TryParse(parts[0], out var major) && int.TryParse(parts[1], out var minor)
            ? new Version(major, minor)
            : null;
    }
}
