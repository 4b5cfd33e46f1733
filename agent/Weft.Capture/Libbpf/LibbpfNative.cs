using System.Runtime.InteropServices;

namespace Weft.Capture.Libbpf;

/// <summary>
/// The part of libbpf.so.1 the agent uses. libbpf 1.x returns -errno from int functions
/// and NULL with errno set from pointer functions.
/// </summary>
internal static unsafe partial class LibbpfNative
{
    private const string Lib = "libbpf.so.1";

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint bpf_object__open_file(string path, nint opts);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int bpf_object__load(nint obj);

    [LibraryImport(Lib)]
    public static partial void bpf_object__close(nint obj);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint bpf_object__find_map_by_name(nint obj, string name);

    [LibraryImport(Lib)]
    public static partial nint bpf_object__next_map(nint obj, nint prev);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint bpf_object__find_program_by_name(nint obj, string name);

    [LibraryImport(Lib)]
    public static partial nint bpf_map__name(nint map);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int bpf_map__set_pin_path(nint map, string path);

    [LibraryImport(Lib)]
    public static partial int bpf_map__fd(nint map);

    [LibraryImport(Lib)]
    public static partial uint bpf_map__key_size(nint map);

    [LibraryImport(Lib)]
    public static partial uint bpf_map__value_size(nint map);

    [LibraryImport(Lib)]
    public static partial uint bpf_map__max_entries(nint map);

    [LibraryImport(Lib)]
    public static partial int bpf_map__unpin(nint map, nint path);

    [LibraryImport(Lib)]
    public static partial int bpf_map__update_elem(nint map, void* key, nuint keySize, void* value, nuint valueSize, ulong flags);

    [LibraryImport(Lib)]
    public static partial int bpf_map__lookup_elem(nint map, void* key, nuint keySize, void* value, nuint valueSize, ulong flags);

    [LibraryImport(Lib)]
    public static partial int bpf_map__lookup_and_delete_elem(nint map, void* key, nuint keySize, void* value, nuint valueSize, ulong flags);

    [LibraryImport(Lib)]
    public static partial int bpf_map__delete_elem(nint map, void* key, nuint keySize, ulong flags);

    [LibraryImport(Lib)]
    public static partial int bpf_map__get_next_key(nint map, void* key, void* nextKey, nuint keySize);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint bpf_program__attach_cgroup(nint prog, int cgroupFd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint bpf_program__attach_netns(nint prog, int netnsFd);

    [LibraryImport(Lib)]
    public static partial int bpf_link__destroy(nint link);

    [LibraryImport(Lib)]
    public static partial int libbpf_num_possible_cpus();

    [LibraryImport(Lib)]
    public static partial nint libbpf_set_print(delegate* unmanaged[Cdecl]<int, byte*, nint, int> fn);

    [LibraryImport("libc")]
    public static partial int vsnprintf(byte* buffer, nuint size, byte* format, nint args);
}

/// <summary>libc calls whose Tmds.LibC forms take raw pointers.</summary>
internal static partial class LibcNative
{
    public const int O_RDONLY = 0;
    public const int O_DIRECTORY = 0x10000;
    public const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags);
}
