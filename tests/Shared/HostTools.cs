using System.Diagnostics;

namespace Weft.Tests.Shared;

/// <summary>Looks at the host the way an operator would (bpftool, the bpffs), independent of the agent's code.</summary>
internal static class HostTools
{
    public const string PinRoot = "/sys/fs/bpf/weft";

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

    public static string Run(string file, params string[] args)
    {
        var (code, stdout, stderr) = TryRun(file, args);
        Assert.True(code == 0, $"{file} {string.Join(' ', args)} exited with {code}: {stderr}");
        return stdout;
    }

    /// <summary>sk_lookup links attached to the network namespace with this inode (`bpftool link show`).</summary>
    public static bool HasSkLookup(ulong netnsInode) =>
        Run("bpftool", "link", "show").Contains($"netns_ino {netnsInode}", StringComparison.Ordinal);

    public static ulong NetnsInode(string path) =>
        ulong.Parse(Run("stat", "-L", "-c", "%i", path).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>`bpftool cgroup show PATH`: the programs attached directly to that cgroup.</summary>
    public static string CgroupPrograms(string cgroup) => Run("bpftool", "cgroup", "show", cgroup);

    /// <summary>The real interpreter behind python3 on PATH (not a pyenv shim), or null.</summary>
    public static string? Python3()
    {
        try
        {
            var (code, stdout, _) = TryRun("python3", "-c", "import sys; print(sys.executable)");
            return code == 0 && stdout.Trim() is { Length: > 0 } path && File.Exists(path) ? path : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }
}
