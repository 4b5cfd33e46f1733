using System.Net;
using System.Net.Sockets;
using Weft.Lab.Infra;

namespace Weft.Lab;

/// <summary>
/// A simulated Kubernetes node for demos and tests: pods are network namespaces on a private
/// bridge, nodes and pods have cgroup v2 directories. Everything it creates is named
/// "weft-&lt;id&gt;-…" and recorded in /run/weft-lab/&lt;id&gt;.json before it is created;
/// <see cref="Dispose"/> removes it, and <see cref="SweepStale"/> removes what killed labs left.
/// </summary>
public sealed class Lab : IDisposable
{
    private static readonly Lock LiveGate = new();
    private static readonly List<Lab> Live = [];

    private readonly Lock gate = new();
    private readonly LabRecord record;
    private readonly List<LabNode> nodes = [];
    private readonly List<LabPod> pods = [];
    private readonly List<LabProcess> processes = [];
    private bool disposed;

    static Lab()
    {
        // A host that exits normally without disposing still cleans up. SIGKILL, and on .NET 10
        // also SIGTERM (no longer raises ProcessExit), leave the lab to the next sweep.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Lab[] open;
            lock (LiveGate)
            {
                open = [.. Live];
            }

            foreach (var lab in open)
            {
                lab.Dispose();
            }
        };
    }

    private Lab(LabRecord record)
    {
        this.record = record;
        FabricNetns = LabNames.Object(record.Id, LabNames.FabricName);
    }

    public string Id => record.Id;

    public string? Tag => record.Tag;

    /// <summary>The namespace that holds the lab's bridge (never the host's).</summary>
    public string FabricNetns { get; }

    /// <summary>Where Dispose and the sweep report what they could not remove. Standard error by default.</summary>
    public Action<string> Log { get; set; } = Console.Error.WriteLine;

    public IReadOnlyList<LabNode> Nodes
    {
        get
        {
            lock (gate)
            {
                return [.. nodes];
            }
        }
    }

    public IReadOnlyList<LabPod> Pods
    {
        get
        {
            lock (gate)
            {
                return [.. pods];
            }
        }
    }

    /// <summary>Sweeps stale labs, then creates a new one with its fabric. Needs root.</summary>
    public static Lab Create(string? tag = null)
    {
        HostCheck.Require();
        SweepStale();
        var record = new LabRecord
        {
            OwnerPid = OwnerProcess.CurrentPid,
            OwnerStartTime = OwnerProcess.StartTime(OwnerProcess.CurrentPid),
            Tag = tag,
            Created = DateTimeOffset.UtcNow,
        };
        do
        {
            record.Id = LabNames.NewId();
        }
        while (!StateStore.TryCreate(record));

        var lab = new Lab(record);
        lock (LiveGate)
        {
            Live.Add(lab);
        }

        try
        {
            lab.CreateNetns(lab.FabricNetns);
            Fabric.Configure(lab.FabricNetns);
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Adds a node: cgroup /sys/fs/cgroup/unified/weft-&lt;id&gt;-&lt;name&gt;.</summary>
    public LabNode AddNode(string name)
    {
        LabNames.CheckName(name, nameof(name));
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (nodes.Any(n => n.Name == name))
            {
                throw new ArgumentException($"lab {Id} already has a node '{name}'", nameof(name));
            }

            var node = new LabNode(this, name, Path.Combine(LabNames.CgroupRoot, LabNames.Object(Id, name)));
            CreateCgroup(node.CgroupPath);
            nodes.Add(node);
            return node;
        }
    }

    /// <summary>
    /// Adds a pod on <paramref name="node"/>: netns "weft-&lt;id&gt;-&lt;name&gt;" with eth0 on the fabric,
    /// <paramref name="address"/>/24 (plus fd00:77::N/64), lo up, no default route; cgroup &lt;node&gt;/&lt;name&gt;,
    /// or with <paramref name="kubelet"/> the cgroups kubelet would make for it below &lt;node&gt;.
    /// </summary>
    public LabPod AddPod(LabNode node, string name, IPAddress address, KubeletPodCgroup? kubelet = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(address);
        LabNames.CheckName(name, nameof(name));
        kubelet?.Check();
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"pod address {address} must be IPv4", nameof(address));
        }

        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (node.Lab != this)
            {
                throw new ArgumentException($"{node} belongs to lab {node.Lab.Id}, not {Id}", nameof(node));
            }

            if (name == LabNames.FabricName || pods.Any(p => p.Name == name))
            {
                throw new ArgumentException($"lab {Id} already has a pod (or the fabric) named '{name}'", nameof(name));
            }

            if (pods.Any(p => p.Address.Equals(address)))
            {
                throw new ArgumentException($"lab {Id} already has a pod with address {address}", nameof(address));
            }

            if (kubelet is not null && pods.Any(p => p.Node == node && p.Kubelet?.Uid == kubelet.Uid))
            {
                throw new ArgumentException($"{node} already has a pod with uid {kubelet.Uid}", nameof(kubelet));
            }

            var pod = new LabPod(
                node, name, address, Fabric.HasIPv6 ? Fabric.Ula(address) : null,
                LabNames.Object(Id, name), kubelet);
            CreateNetns(pod.NetnsName);
            List<string> created = [];
            try
            {
                foreach (var dir in pod.CgroupDirectories())
                {
                    // kubelet's upper levels (kubepods.slice, …) are shared by the node's pods: made once.
                    if (!record.Cgroups.Contains(dir))
                    {
                        created.Add(dir);
                        CreateCgroup(dir);
                    }
                }

                Fabric.Attach(FabricNetns, LabNames.FabricVeth(pods.Count, name), pod.NetnsName, pod.Address, pod.Address6);
            }
            catch
            {
                // Undo this pod only (what of it was created); the rest of the lab stays usable.
                var partial = new LabRecord
                {
                    Id = Id,
                    Netns = [pod.NetnsName],
                    Cgroups = [.. record.Cgroups.Where(created.Contains)],
                };
                LabTeardown.Run(partial, Log);
                Record(() =>
                {
                    record.Netns.Remove(pod.NetnsName);
                    record.Cgroups.RemoveAll(created.Contains);
                    record.Netns.AddRange(partial.Netns);
                    record.Cgroups.AddRange(partial.Cgroups);
                });
                throw;
            }

            pods.Add(pod);
            return pod;
        }
    }

    /// <summary>
    /// Kills the lab's processes and removes its namespaces (with their veths and bridge) and
    /// cgroups, children first. Never throws for things already gone; logs what it could not
    /// remove and keeps those in the record, for a later sweep.
    /// </summary>
    public void Dispose()
    {
        LabProcess[] running;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            running = [.. processes];
        }

        lock (LiveGate)
        {
            Live.Remove(this);
        }

        foreach (var p in running)
        {
            p.Dispose();
        }

        LabTeardown.Run(record, Log);
        if (record.Netns.Count == 0 && record.Cgroups.Count == 0)
        {
            StateStore.Delete(Id);
        }
        else
        {
            Log($"weft-lab: lab {Id} left {string.Join(", ", record.Netns.Concat(record.Cgroups))}; kept in {StateStore.PathFor(Id)} for a later sweep");
            StateStore.Write(record);
        }
    }

    /// <summary>Removes labs whose owner process is gone (as recorded in /run/weft-lab). Returns how many.</summary>
    public static int SweepStale() => StaleSweep.Run(Console.Error.WriteLine);

    public override string ToString() => $"lab {Id}{(Tag is null ? "" : $" ({Tag})")}";

    internal LabProcess StartOnHost(LabNode node, string file, string[] args)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentNullException.ThrowIfNull(args);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (!Directory.Exists(node.HostCgroupPath))
            {
                CreateCgroup(node.HostCgroupPath);
            }
        }

        var psi = new System.Diagnostics.ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        string[] argv = ["-c", LabPod.EnterCgroupScript, "sh", node.HostCgroupPath, file, .. args];
        foreach (var a in argv)
        {
            psi.ArgumentList.Add(a);
        }

        var process = new LabProcess(Command.Start(psi, "/bin/sh", argv), $"[{node.Name}] {Command.Format(file, args)}");
        process.CloseInput();
        Track(process);
        return process;
    }

    internal void Track(LabProcess process)
    {
        lock (gate)
        {
            processes.RemoveAll(p => p.HasExited);
            processes.Add(process);
        }
    }

    private void CreateNetns(string name) =>
        CreateRecorded(() => record.Netns.Add(name), () => record.Netns.Remove(name), () => Netns.Create(name));

    private void CreateCgroup(string path) =>
        CreateRecorded(() => record.Cgroups.Add(path), () => record.Cgroups.Remove(path), () => Cgroups.Create(path));

    /// <summary>
    /// Lists the object, then creates it. If creating fails (it may exist already, made by
    /// someone else) it is unlisted again, so that nothing the lab did not create is ever removed.
    /// </summary>
    private void CreateRecorded(Action list, Action unlist, Action create)
    {
        Record(list);
        try
        {
            create();
        }
        catch
        {
            Record(unlist);
            throw;
        }
    }

    /// <summary>Changes the record and saves it before the object it describes exists (write-ahead).</summary>
    private void Record(Action change)
    {
        lock (gate)
        {
            change();
            StateStore.Write(record);
        }
    }
}
