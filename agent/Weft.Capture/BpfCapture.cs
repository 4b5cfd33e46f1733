using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Weft.Capture.Libbpf;
using Weft.Capture.Maps;
using Weft.Platform.Host;
using Weft.Platform.Netns;

namespace Weft.Capture;

/// <summary>
/// Owns the loaded capture programs and their maps for one node: attaches them to the
/// cgroup root, enrols and releases pod network namespaces, and answers the agent's
/// original-destination look-ups. Disposing detaches everything and removes the pins.
/// </summary>
public sealed partial class BpfCapture : IDisposable
{
    private readonly ILogger logger;
    private readonly BpfObject obj;
    private readonly List<BpfLink> cgroupLinks = [];
    private readonly HashSet<BpfLink> inboundLinks = [];
    private readonly BpfMap enrolled;
    private readonly BpfMap origByPort;
    private readonly BpfMap listeners;
    private readonly BpfMap excludedPorts;
    private readonly BpfMap excludedCidrs;
    private readonly BpfMap counters;
    private readonly BpfProgram skLookup;
    private bool disposed;

    private BpfCapture(CaptureOptions options, BpfObject obj, ILogger logger)
    {
        Options = options;
        this.obj = obj;
        this.logger = logger;
        enrolled = obj.Map("weft_enrolled");
        origByPort = obj.Map("weft_orig_by_port");
        listeners = obj.Map("weft_listeners");
        excludedPorts = obj.Map("weft_excluded_ports");
        excludedCidrs = obj.Map("weft_excluded_cidrs");
        counters = obj.Map("weft_counters");
        skLookup = obj.Program("weft_sk_lookup");
    }

    public CaptureOptions Options { get; }

    /// <summary>Loads the object, pins its maps and attaches the cgroup programs.</summary>
    public static BpfCapture Start(CaptureOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        HostChecks.RequireCgroup2(options.CgroupRoot);
        RemoveStalePins(options.PinDirectory, logger);

        var obj = BpfObject.Open(options.ObjectPath, logger);
        BpfCapture? capture = null;
        try
        {
            Directory.CreateDirectory(options.PinDirectory);
            obj.PinMapsUnder(options.PinDirectory);
            obj.Load();
            capture = new BpfCapture(options, obj, logger);
            obj.Map("weft_settings").Update(0u, new weft_settings { agent_cgroup_id = options.AgentCgroupId ?? CgroupId.OfProcess() });
            capture.AttachCgroupPrograms();
            return capture;
        }
        catch
        {
            if (capture is not null)
            {
                capture.Dispose();
            }
            else
            {
                obj.UnpinMaps();
                obj.Dispose();
                TryRemoveDirectory(options.PinDirectory);
            }

            throw;
        }
    }

    public void Enroll(ulong netnsCookie, uint podId)
    {
        var info = new weft_netns_info { pod_id = podId };
        enrolled.Update(netnsCookie, info);
    }

    public bool Release(ulong netnsCookie) => enrolled.Delete(netnsCookie);

    public IReadOnlyCollection<ulong> EnrolledCookies() => enrolled.Keys<ulong>();

    /// <summary>
    /// Original destination of a connection the agent accepted on its outbound listener, from
    /// <paramref name="client"/> (the accepted socket's remote end: its family is the listener's);
    /// the entry is removed as it is read (each is read once).
    /// </summary>
    public bool TryTakeOriginalDestination(ulong netnsCookie, IPEndPoint client, out IPEndPoint? destination)
    {
        ArgumentNullException.ThrowIfNull(client);
        var key = new weft_port_key
        {
            netns_cookie = netnsCookie,
            addr = WeftAddr.From(client.Address),
            port = (ushort)client.Port,
            family = (ushort)(client.AddressFamily == AddressFamily.InterNetworkV6 ? 10 : 2),
        };
        if (origByPort.TryTake(key, out weft_orig_dst dst))
        {
            destination = dst.ToEndPoint();
            return true;
        }

        destination = null;
        return false;
    }

    /// <summary>Steers inbound connections for <paramref name="address"/> to <paramref name="listener"/>.</summary>
    public void SetListener(IPAddress address, ListenerKind kind, Socket listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var key = new weft_listener_key { addr = WeftAddr.From(address), kind = kind };
        listeners.Update(key, (ulong)listener.SafeHandle.DangerousGetHandle());
    }

    public void RemoveListener(IPAddress address, ListenerKind kind)
    {
        var key = new weft_listener_key { addr = WeftAddr.From(address), kind = kind };
        listeners.Delete(key);
    }

    /// <summary>
    /// Attaches the inbound steering program to a pod's network namespace. The caller detaches
    /// it with <see cref="DetachInbound"/>; whatever is still attached goes with <see cref="Dispose"/>.
    /// </summary>
    public BpfLink AttachInbound(NetworkNamespace netns)
    {
        ArgumentNullException.ThrowIfNull(netns);
        var link = skLookup.AttachNetns(netns.Handle, netns.Path);
        lock (inboundLinks)
        {
            inboundLinks.Add(link);
        }

        return link;
    }

    public void DetachInbound(BpfLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        lock (inboundLinks)
        {
            inboundLinks.Remove(link);
        }

        link.Dispose();
    }

    /// <summary>Replaces the excluded destination ports and CIDRs (adds the new, then drops the stale).</summary>
    public void SetExclusions(IEnumerable<int> ports, IEnumerable<IPNetwork> cidrs)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(cidrs);
        var wantPorts = ports.Select(p => (ushort)p).ToHashSet();
        foreach (var p in wantPorts)
        {
            excludedPorts.Update(p, (byte)1);
        }

        foreach (var p in excludedPorts.Keys<ushort>().Where(p => !wantPorts.Contains(p)))
        {
            excludedPorts.Delete(p);
        }

        var wantCidrs = cidrs.Select(CidrKey).ToList();
        foreach (var k in wantCidrs)
        {
            excludedCidrs.Update(k, (byte)1);
        }

        foreach (var k in excludedCidrs.Keys<weft_cidr_key>().Where(k => !wantCidrs.Any(w => SameCidr(w, k))))
        {
            excludedCidrs.Delete(k);
        }
    }

    public ulong Counter(WeftCounter counter) => counters.SumPerCpu((uint)counter);

    /// <summary>
    /// Entries and capacity of the maps that fill with pods and connections, for metrics (a full
    /// LRU map drops original destinations). Walks the keys: call it at scrape time, not per connection.
    /// </summary>
    public IReadOnlyList<(string Map, int Entries, uint Capacity)> Occupancy() =>
    [
        (enrolled.Name, enrolled.Keys<ulong>().Count, enrolled.Capacity),
        (origByPort.Name, origByPort.Keys<weft_port_key>().Count, origByPort.Capacity),
        (listeners.Name, listeners.Keys<weft_listener_key>().Count, listeners.Capacity),
    ];

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        foreach (var link in cgroupLinks)
        {
            link.Dispose();
        }

        lock (inboundLinks)
        {
            foreach (var link in inboundLinks)
            {
                link.Dispose();
            }

            inboundLinks.Clear();
        }

        LogDetached(logger, Options.CgroupRoot);
        try
        {
            obj.UnpinMaps();
        }
        catch (BpfException e)
        {
            LogCleanupFailed(logger, e.Message);
        }

        obj.Dispose();
        TryRemoveDirectory(Options.PinDirectory);
    }

    internal static weft_cidr_key CidrKey(IPNetwork net)
    {
        var v4 = net.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
        return new weft_cidr_key { prefixlen = (uint)(net.PrefixLength + (v4 ? 96 : 0)), addr = WeftAddr.From(net.BaseAddress) };
    }

    private static unsafe bool SameCidr(weft_cidr_key a, weft_cidr_key b) =>
        a.prefixlen == b.prefixlen && new ReadOnlySpan<byte>(a.addr.Bytes, 16).SequenceEqual(new ReadOnlySpan<byte>(b.addr.Bytes, 16));

    private static void RemoveStalePins(string dir, ILogger logger)
    {
        if (!Directory.Exists(dir))
        {
            return;
        }

        // Pins left by an agent that was killed: its links died with it, the maps did not.
        var stale = Directory.GetFileSystemEntries(dir);
        foreach (var entry in stale)
        {
            File.Delete(entry);
        }

        if (stale.Length > 0)
        {
            LogStaleRemoved(logger, stale.Length, dir);
        }
    }

    private static void TryRemoveDirectory(string dir)
    {
        try
        {
            Directory.Delete(dir);
        }
        catch (IOException)
        {
        }
    }

    private void AttachCgroupPrograms()
    {
        using var cgroup = OpenDirectory(Options.CgroupRoot);
        foreach (var name in new[] { "weft_connect4", "weft_connect6", "weft_sockops", "weft_getpeername4", "weft_getpeername6" })
        {
            cgroupLinks.Add(obj.Program(name).AttachCgroup(cgroup, Options.CgroupRoot));
        }

        LogAttached(logger, Options.CgroupRoot, Options.PinDirectory);
    }

    private static SafeFileHandle OpenDirectory(string path)
    {
        var fd = LibcNative.open(path, LibcNative.O_RDONLY | LibcNative.O_DIRECTORY | LibcNative.O_CLOEXEC);
        return fd >= 0
            ? new SafeFileHandle(fd, ownsHandle: true)
            : throw new BpfException($"cannot open cgroup directory {path}: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "capture programs attached to cgroup {CgroupRoot}, maps pinned under {PinDirectory}")]
    private static partial void LogAttached(ILogger logger, string cgroupRoot, string pinDirectory);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "capture programs detached from cgroup {CgroupRoot}")]
    private static partial void LogDetached(ILogger logger, string cgroupRoot);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "removed {Count} stale pinned maps from {PinDirectory} left by an earlier agent")]
    private static partial void LogStaleRemoved(ILogger logger, int count, string pinDirectory);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "cleanup: {Error}")]
    private static partial void LogCleanupFailed(ILogger logger, string error);
}
