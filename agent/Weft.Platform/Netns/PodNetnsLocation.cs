namespace Weft.Platform.Netns;

/// <summary>
/// Where a pod's network namespace was found: the pod's cgroup, the process whose namespace it is,
/// and that namespace's inode (open <see cref="NetnsPath"/> and compare, since the process may exit).
/// </summary>
/// <param name="CgroupPath">The pod-level cgroup directory (absolute).</param>
/// <param name="Pid">The pod's sandbox process, as seen from the agent's pid namespace.</param>
/// <param name="NetnsPath">"/proc/&lt;pid&gt;/ns/net" (below the finder's proc root).</param>
/// <param name="NetnsInode">Inode of that namespace when it was found.</param>
public sealed record PodNetnsLocation(string CgroupPath, int Pid, string NetnsPath, ulong NetnsInode);
