namespace Weft.Platform.Host;

/// <summary>
/// The cgroup v2 id of a process: the inode number of its cgroup directory, which is what
/// bpf_get_current_cgroup_id() returns in the kernel.
/// </summary>
public static class CgroupId
{
    public static ulong OfProcess(string pid = "self")
    {
        var relative = File.ReadLines($"/proc/{pid}/cgroup").FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..]
            ?? throw new HostRequirementException($"process {pid} is in no cgroup v2 hierarchy (/proc/{pid}/cgroup has no 0:: line): mount cgroup v2.");
        var mount = Cgroup2Mount() ?? throw new HostRequirementException("no cgroup v2 file system is mounted: mount -t cgroup2 none /sys/fs/cgroup/unified");
        var dir = Path.Join(mount, relative);
        return Netns.NetworkNamespace.CurrentInode(dir) ?? throw new HostRequirementException($"cannot stat the cgroup directory {dir}");
    }

    /// <summary>Mount point of the cgroup2 file system, from /proc/self/mountinfo.</summary>
    public static string? Cgroup2Mount()
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // "... mountpoint options - fstype source superoptions"
            var sep = line.IndexOf(" - ", StringComparison.Ordinal);
            if (sep < 0 || !line.AsSpan(sep + 3).StartsWith("cgroup2 ", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line[..sep].Split(' ');
            return fields.Length > 4 ? fields[4].Replace("\\040", " ", StringComparison.Ordinal) : null;
        }

        return null;
    }
}
