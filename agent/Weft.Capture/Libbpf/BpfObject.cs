using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Weft.Capture.Libbpf;

/// <summary>An eBPF object file opened and loaded through libbpf.</summary>
public sealed class BpfObject : SafeHandle
{
    private readonly Dictionary<string, BpfMap> maps = new(StringComparer.Ordinal);

    private BpfObject(nint obj, string path)
        : base(0, ownsHandle: true)
    {
        SetHandle(obj);
        Path = path;
        for (var m = LibbpfNative.bpf_object__next_map(obj, 0); m != 0; m = LibbpfNative.bpf_object__next_map(obj, m))
        {
            var name = Marshal.PtrToStringUTF8(LibbpfNative.bpf_map__name(m)) ?? string.Empty;
            maps[name] = new BpfMap(m, name);
        }
    }

    public string Path { get; }

    public override bool IsInvalid => handle == 0;

    /// <summary>Maps declared by the program (not libbpf's internal .data/.bss maps).</summary>
    public IEnumerable<BpfMap> Maps => maps.Values.Where(m => !m.Name.Contains('.', StringComparison.Ordinal));

    public static BpfObject Open(string path, ILogger logger)
    {
        LibbpfLog.Install(logger);
        if (!File.Exists(path))
        {
            throw new BpfException($"The eBPF object {path} does not exist: build it with 'make build' (or pass --bpf-object).");
        }

        var obj = LibbpfNative.bpf_object__open_file(path, 0);
        return obj != 0 ? new BpfObject(obj, path) : throw BpfException.FromErrno($"opening eBPF object {path}", Marshal.GetLastPInvokeError());
    }

    /// <summary>Pins every map under <paramref name="directory"/> when the object is loaded.</summary>
    public void PinMapsUnder(string directory)
    {
        foreach (var map in Maps)
        {
            map.SetPinPath(System.IO.Path.Combine(directory, map.Name));
        }
    }

    public void Load()
    {
        LibbpfLog.Clear();
        var rc = LibbpfNative.bpf_object__load(handle);
        if (rc != 0)
        {
            throw BpfException.FromErrno($"loading eBPF object {Path} into the kernel", rc);
        }
    }

    public BpfMap Map(string name) =>
        maps.TryGetValue(name, out var m) ? m : throw new BpfException($"eBPF object {Path} has no map {name}: it does not match this agent; rebuild with 'make build'.");

    public BpfProgram Program(string name)
    {
        var p = LibbpfNative.bpf_object__find_program_by_name(handle, name);
        return p != 0 ? new BpfProgram(p, name) : throw new BpfException($"eBPF object {Path} has no program {name}: it does not match this agent; rebuild with 'make build'.");
    }

    public void UnpinMaps()
    {
        foreach (var map in Maps)
        {
            map.Unpin();
        }
    }

    protected override bool ReleaseHandle()
    {
        LibbpfNative.bpf_object__close(handle);
        return true;
    }
}
