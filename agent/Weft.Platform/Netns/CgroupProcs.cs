using System.Globalization;

namespace Weft.Platform.Netns;

/// <summary>The pids in a cgroup and its descendants (cgroup.procs of each), as the reader's pid namespace numbers them.</summary>
internal static class CgroupProcs
{
    // Container cgroups sit one level below the pod's; a container running its own cgroup
    // tree (systemd, docker-in-docker) adds a few more. Deeper is not worth walking.
    private const int MaxDepth = 8;

    private static readonly EnumerationOptions Subdirectories = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        // Never follow a link out of the cgroup tree.
        AttributesToSkip = FileAttributes.ReparsePoint,
    };

    /// <summary>
    /// Pids below <paramref name="cgroup"/>, pid 0 included (a process outside the reader's pid
    /// namespace). Cgroups removed meanwhile are skipped; a permission error throws <see cref="NetnsException"/>.
    /// </summary>
    public static List<int> Read(string cgroup)
    {
        var pids = new List<int>();
        Read(cgroup, 0, pids);
        return pids;
    }

    private static void Read(string cgroup, int depth, List<int> pids)
    {
        var procs = Path.Join(cgroup, "cgroup.procs");
        try
        {
            foreach (var line in File.ReadLines(procs))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    pids.Add(pid);
                }
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // The container (or pod) went away while we looked: nothing of it to find.
        }
        catch (UnauthorizedAccessException e)
        {
            throw Denied(procs, e);
        }

        if (depth >= MaxDepth)
        {
            return;
        }

        string[] children;
        try
        {
            children = Directory.GetDirectories(cgroup, "*", Subdirectories);
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }
        catch (UnauthorizedAccessException e)
        {
            throw Denied(cgroup, e);
        }

        foreach (var child in children)
        {
            Read(child, depth + 1, pids);
        }
    }

    private static NetnsException Denied(string path, Exception e) =>
        new($"cannot read {path}: permission denied. The agent reads pod cgroups under the cgroup v2 mount; run it as root (a privileged DaemonSet pod).", e);
}
