namespace Weft.Lab.Infra;

/// <summary>Named network namespaces, managed with iproute2 (bind mounts under /var/run/netns).</summary>
internal static class Netns
{
    /// <summary>Fails if the name exists: `ip netns add` never adopts someone else's namespace.</summary>
    public static void Create(string name) => Command.Run("ip", "netns", "add", name);

    public static bool Exists(string name) => File.Exists(LabNames.NetnsPath(name));

    /// <summary>Deletes the namespace; true if it is gone afterwards (also when it was never there).</summary>
    public static bool Delete(string name, Action<string> log)
    {
        if (!Exists(name))
        {
            return true;
        }

        var (code, _, stderr) = Command.TryRun("ip", "netns", "del", name);
        if (code != 0 && Exists(name))
        {
            log($"weft-lab: could not delete netns {name}: `ip netns del {name}` exited with {code}: {stderr.Trim()}");
            return false;
        }

        return true;
    }

    /// <summary>Runs `ip -n NAME …` inside the namespace.</summary>
    public static string Ip(string name, params string[] args) => Command.Run("ip", ["-n", name, .. args]);

    /// <summary>Inode of a namespace file, the identity /proc/PID/ns/net also shows ("net:[inode]").</summary>
    public static ulong? Inode(string path) => NativeMethods.Inode(path);
}
