using System.Runtime.CompilerServices;

namespace Weft.Capture.Libbpf;

/// <summary>
/// A map of a loaded <see cref="BpfObject"/>. Keys and values are the unmanaged mirrors
/// of the structs in bpf/weft_shared.h; libbpf checks their sizes on every call.
/// </summary>
public sealed unsafe class BpfMap
{
    private const ulong BPF_ANY = 0;
    private readonly nint map;

    internal BpfMap(nint map, string name)
    {
        this.map = map;
        Name = name;
    }

    public string Name { get; }

    public int Fd => LibbpfNative.bpf_map__fd(map);

    public uint KeySize => LibbpfNative.bpf_map__key_size(map);

    public uint ValueSize => LibbpfNative.bpf_map__value_size(map);

    /// <summary>The map's capacity (max_entries).</summary>
    public uint Capacity => LibbpfNative.bpf_map__max_entries(map);

    public void Update<TKey, TValue>(in TKey key, in TValue value)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        fixed (TKey* k = &key)
        fixed (TValue* v = &value)
        {
            var rc = LibbpfNative.bpf_map__update_elem(map, k, (nuint)sizeof(TKey), v, (nuint)sizeof(TValue), BPF_ANY);
            if (rc != 0)
            {
                throw BpfException.FromErrno($"updating map {Name}", rc);
            }
        }
    }

    public bool TryLookup<TKey, TValue>(in TKey key, out TValue value)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        value = default;
        fixed (TKey* k = &key)
        fixed (TValue* v = &value)
        {
            var rc = LibbpfNative.bpf_map__lookup_elem(map, k, (nuint)sizeof(TKey), v, (nuint)sizeof(TValue), 0);
            return rc == 0 || (rc == -2 ? false : throw BpfException.FromErrno($"looking up map {Name}", rc));
        }
    }

    /// <summary>Reads and removes an entry in one step; false when it was not there.</summary>
    public bool TryTake<TKey, TValue>(in TKey key, out TValue value)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        value = default;
        fixed (TKey* k = &key)
        fixed (TValue* v = &value)
        {
            var rc = LibbpfNative.bpf_map__lookup_and_delete_elem(map, k, (nuint)sizeof(TKey), v, (nuint)sizeof(TValue), 0);
            return rc == 0 || (rc == -2 ? false : throw BpfException.FromErrno($"taking from map {Name}", rc));
        }
    }

    /// <summary>Deletes a key; returns false when it was not there.</summary>
    public bool Delete<TKey>(in TKey key)
        where TKey : unmanaged
    {
        fixed (TKey* k = &key)
        {
            var rc = LibbpfNative.bpf_map__delete_elem(map, k, (nuint)sizeof(TKey), 0);
            return rc == 0 || (rc == -2 ? false : throw BpfException.FromErrno($"deleting from map {Name}", rc));
        }
    }

    /// <summary>All keys, read before any is acted on (deleting while iterating restarts the walk).</summary>
    public List<TKey> Keys<TKey>()
        where TKey : unmanaged
    {
        var keys = new List<TKey>();
        TKey next = default;
        var rc = LibbpfNative.bpf_map__get_next_key(map, null, &next, (nuint)sizeof(TKey));
        while (rc == 0)
        {
            keys.Add(next);
            var cur = next;
            rc = LibbpfNative.bpf_map__get_next_key(map, &cur, &next, (nuint)sizeof(TKey));
        }

        return rc == -2 ? keys : throw BpfException.FromErrno($"walking map {Name}", rc);
    }

    /// <summary>Sum of a per-CPU u64 slot across all possible CPUs.</summary>
    public ulong SumPerCpu(uint index)
    {
        var cpus = LibbpfNative.libbpf_num_possible_cpus();
        if (cpus <= 0)
        {
            throw BpfException.FromErrno("counting possible CPUs", cpus);
        }

        Span<ulong> values = cpus <= 256 ? stackalloc ulong[cpus] : new ulong[cpus];
        fixed (ulong* v = values)
        {
            var rc = LibbpfNative.bpf_map__lookup_elem(map, &index, sizeof(uint), v, (nuint)(cpus * sizeof(ulong)), 0);
            if (rc != 0)
            {
                throw BpfException.FromErrno($"reading counters map {Name}", rc);
            }
        }

        ulong sum = 0;
        foreach (var x in values)
        {
            sum += x;
        }

        return sum;
    }

    internal void SetPinPath(string path)
    {
        var rc = LibbpfNative.bpf_map__set_pin_path(map, path);
        if (rc != 0)
        {
            throw BpfException.FromErrno($"setting pin path {path} of map {Name}", rc);
        }
    }

    internal void Unpin()
    {
        var rc = LibbpfNative.bpf_map__unpin(map, 0);
        if (rc != 0 && rc != -2)
        {
            throw BpfException.FromErrno($"unpinning map {Name}", rc);
        }
    }

    internal static int SizeOf<T>()
        where T : unmanaged => Unsafe.SizeOf<T>();
}
