using System.Globalization;

namespace Weft.Platform.Tests.Netns;

/// <summary>
/// A node's cgroup tree and /proc in a temporary directory: cgroups are directories with a
/// cgroup.procs file, processes are a stat file and an ns/net file (a file of its own is a
/// namespace of its own; a link to proc/1/ns/net is the host's).
/// </summary>
internal sealed class FakeNode : IDisposable
{
    public FakeNode()
    {
        var root = Directory.CreateTempSubdirectory("weft-netns-test-").FullName;
        Root = root;
        Cgroups = Directory.CreateDirectory(Path.Join(root, "cgroup")).FullName;
        Proc = Directory.CreateDirectory(Path.Join(root, "proc")).FullName;
        AddProcess(1, startTime: 1, netns: null);
        Directory.CreateDirectory(Path.Join(Proc, "self", "ns"));
        File.CreateSymbolicLink(Path.Join(Proc, "self", "ns", "net"), HostNetns);
    }

    public string Root { get; }

    public string Cgroups { get; }

    public string Proc { get; }

    public string HostNetns => Path.Join(Proc, "1", "ns", "net");

    /// <summary>A cgroup (relative to <see cref="Cgroups"/>) holding <paramref name="pids"/>; its parents are made as needed.</summary>
    public string AddCgroup(string relative, params int[] pids)
    {
        var dir = Directory.CreateDirectory(Path.Join(Cgroups, relative)).FullName;
        File.WriteAllLines(Path.Join(dir, "cgroup.procs"), pids.Select(p => p.ToString(CultureInfo.InvariantCulture)));
        return dir;
    }

    /// <summary>A process with its own network namespace, or the one at <paramref name="netns"/>. Returns its ns/net path.</summary>
    public string AddProcess(int pid, ulong startTime, string? netns = null, char state = 'S', string comm = "sleep")
    {
        var dir = Directory.CreateDirectory(Path.Join(Proc, pid.ToString(CultureInfo.InvariantCulture), "ns")).Parent!.FullName;
        File.WriteAllText(Path.Join(dir, "stat"), Stat(pid, comm, state, startTime));
        var net = Path.Join(dir, "ns", "net");
        if (netns is null)
        {
            File.WriteAllText(net, "");
        }
        else
        {
            File.CreateSymbolicLink(net, netns);
        }

        return net;
    }

    /// <summary>Gives the agent (proc/self) a network namespace other than init's; returns its path.</summary>
    public string SeparateSelfNetns()
    {
        var self = Path.Join(Proc, "self", "ns", "net");
        File.Delete(self);
        File.WriteAllText(self, "");
        return self;
    }

    /// <summary>The process exits: its /proc directory goes.</summary>
    public void RemoveProcess(int pid) => Directory.Delete(Path.Join(Proc, pid.ToString(CultureInfo.InvariantCulture)), recursive: true);

    /// <summary>A /proc/PID/stat line as Linux writes it (fields 1-22 and a few after).</summary>
    public static string Stat(int pid, string comm, char state, ulong startTime) =>
        $"{pid} ({comm}) {state} 1 {pid} {pid} 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 {startTime} 2240512 128 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n";

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
