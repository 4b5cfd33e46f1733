namespace Weft.Lab.Infra;

/// <summary>Says plainly what is missing before the lab tries (and fails obscurely) to build anything.</summary>
internal static class HostCheck
{
    public static void Require()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new UnauthorizedAccessException("weft-lab needs root: it creates network namespaces and cgroups");
        }

        if (!File.Exists(Path.Combine(LabNames.CgroupRoot, "cgroup.procs")))
        {
            throw new InvalidOperationException("weft-lab needs cgroup v2: mount it with 'mount -t cgroup2 none /sys/fs/cgroup/unified' (make test and make demo do)");
        }
    }
}
