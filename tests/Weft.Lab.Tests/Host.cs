using System.Diagnostics;
using Weft.Tests.Shared;

namespace Weft.Lab.Tests;

/// <summary>Looks at the host the way an operator would (ip, the cgroup tree), independent of the lab's own code.</summary>
internal static class Host
{
    public static string CgroupRoot { get; } = Weft.Platform.Host.CgroupId.Cgroup2Mount() ?? "/sys/fs/cgroup/unified";

    /// <summary>For tests that touch the host without Lab.Create (which says so itself): fail clearly, not obscurely.</summary>
    public static void RequireRoot() =>
        Assert.True(Environment.IsPrivilegedProcess, "this test needs root: it creates network namespaces and cgroups (with CI=true it fails rather than skips)");

    public static string Run(string file, params string[] args) => HostTools.Run(file, args);

    /// <summary>Namespace names from `ip netns list` (which prints "name (id: N)" for some).</summary>
    public static IReadOnlyList<string> NetnsNames() =>
        [.. Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0])];

    public static IReadOnlyList<string> CgroupDirs(string contains) =>
        [.. Directory.EnumerateDirectories(CgroupRoot).Select(Path.GetFileName).Where(n => n!.Contains(contains, StringComparison.Ordinal))!];

    /// <summary>The pid of a process that has exited and been reaped: a dead owner.</summary>
    public static int DeadPid()
    {
        using var p = Process.Start("true")!;
        p.WaitForExit();
        return p.Id;
    }

    /// <summary>False once the process is gone or a zombie (its reaper may be slow; it runs no more).</summary>
    public static bool ProcessExists(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
