using System.Diagnostics;

namespace Weft.Integration.Tests;

/// <summary>Runs the host's own tools (bpftool, nft, ip), to look at the kernel independently of our code.</summary>
internal static class HostTools
{
    public static string Run(string file, params string[] args)
    {
        var (code, stdout, stderr) = TryRun(file, args);
        Assert.True(code == 0, $"{file} {string.Join(' ', args)}: exit {code}: {stderr}");
        return stdout;
    }

    public static (int Code, string Stdout, string Stderr) TryRun(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    /// <summary>Programs attached to a cgroup, as bpftool lists them.</summary>
    public static string CgroupPrograms(string cgroup) => Run("bpftool", "cgroup", "show", cgroup);

    /// <summary>sk_lookup links attached to the namespace with this inode.</summary>
    public static bool HasSkLookup(ulong netnsInode) =>
        Run("bpftool", "link", "show").Contains($"netns_ino {netnsInode}", StringComparison.Ordinal);

    public static ulong NetnsInode(string path)
    {
        var stat = Run("stat", "-L", "-c", "%i", path).Trim();
        return ulong.Parse(stat, System.Globalization.CultureInfo.InvariantCulture);
    }
}
