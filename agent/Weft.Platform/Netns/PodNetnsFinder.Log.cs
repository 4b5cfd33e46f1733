using Microsoft.Extensions.Logging;

namespace Weft.Platform.Netns;

// Event ids 9100-9199 belong to the pod network namespace finder. Never reuse or renumber one.
public sealed partial class PodNetnsFinder
{
    [LoggerMessage(EventId = 9100, EventName = "PodNetnsFound", Level = LogLevel.Debug,
        Message = "pod {PodUid}: network namespace {NetnsPath} (inode {Inode}) of process {Pid} in {Cgroup}")]
    private static partial void LogFound(ILogger logger, string podUid, string netnsPath, ulong inode, int pid, string cgroup);

    [LoggerMessage(EventId = 9101, EventName = "PodCgroupMissing", Level = LogLevel.Debug,
        Message = "pod {PodUid}: no kubelet cgroup below {SearchRoot} yet")]
    private static partial void LogNoCgroup(ILogger logger, string podUid, string searchRoot);

    [LoggerMessage(EventId = 9102, EventName = "PodProcessMissing", Level = LogLevel.Debug,
        Message = "pod {PodUid}: cgroup {Cgroup} has no live process yet")]
    private static partial void LogNoProcess(ILogger logger, string podUid, string cgroup);

    [LoggerMessage(EventId = 9103, EventName = "PodHostNetwork", Level = LogLevel.Debug,
        Message = "pod {PodUid}: process {Pid} is in the host's network namespace (a hostNetwork pod); it is not enrolled")]
    private static partial void LogHostNetwork(ILogger logger, string podUid, int pid);

    [LoggerMessage(EventId = 9104, EventName = "PodProcessGone", Level = LogLevel.Debug,
        Message = "pod {PodUid}: process {Pid} exited while its namespace was looked up; trying the next")]
    private static partial void LogProcessGone(ILogger logger, string podUid, int pid);

    [LoggerMessage(EventId = 9105, EventName = "KubepodsRootDiscovered", Level = LogLevel.Information,
        Message = "kubelet's pod cgroups are at {Root} ({Driver} driver), not at the standard place; looking there first from now on")]
    private static partial void LogRootDiscovered(ILogger logger, string root, string driver);
}
