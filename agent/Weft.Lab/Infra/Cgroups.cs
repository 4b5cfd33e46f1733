namespace Weft.Lab.Infra;

/// <summary>cgroup v2 directories of a lab: created empty, emptied with cgroup.kill, then removed.</summary>
internal static class Cgroups
{
    public static void Create(string path)
    {
        // Refuse to adopt a directory someone else made: we would later kill its processes.
        if (Directory.Exists(path))
        {
            throw new InvalidOperationException($"cgroup {path} already exists; the lab will not take it over");
        }

        Directory.CreateDirectory(path);
    }

    /// <summary>Kills everything in the cgroup (and below), waits for it to empty, removes it. False if it is still there.</summary>
    public static bool Remove(string path, Action<string> log)
    {
        if (!Directory.Exists(path))
        {
            return true;
        }

        Kill(path);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            try
            {
                Directory.Delete(path, recursive: false);
                return true;
            }
            catch (DirectoryNotFoundException)
            {
                return true;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // EBUSY until the killed processes are gone, or while child cgroups remain.
                Thread.Sleep(20);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log($"weft-lab: could not remove cgroup {path}: {e.Message}");
                return false;
            }
        }
    }

    public static void Kill(string path)
    {
        try
        {
            // cgroup.kill (Linux 5.14+) SIGKILLs every process in the subtree at once, no pid races.
            File.WriteAllText(Path.Combine(path, "cgroup.kill"), "1");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone already, or an old kernel; removal below reports what remains.
        }
    }

    /// <summary>The cgroup path as /proc/PID/cgroup shows it ("0::/…"), relative to the v2 root.</summary>
    public static string ProcView(string path) => path[LabNames.CgroupRoot.Length..];
}
