using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Weft.Platform.Netns;

/// <summary>
/// An open handle on a network namespace (a file under /var/run/netns or /proc/PID/ns/net).
/// Holding it keeps the namespace alive; <see cref="Inode"/> identifies it, so a path that
/// was recreated for another pod is noticed.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private NetworkNamespace(string path, SafeFileHandle handle, ulong inode)
    {
        Path = path;
        Handle = handle;
        Inode = inode;
    }

    public string Path { get; }

    public SafeFileHandle Handle { get; }

    public ulong Inode { get; }

    public static NetworkNamespace Open(string path)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NetnsException($"cannot open network namespace {path}: {e.Message}", e);
        }

        var inode = InodeOf(handle) ?? throw new NetnsException($"cannot stat network namespace {path}");
        return new NetworkNamespace(path, handle, inode);
    }

    /// <summary>The inode of whatever the path names now (file or directory), or null when it is gone.</summary>
    public static ulong? CurrentInode(string path)
    {
        var st = new Statx();
        const int AT_FDCWD = -100;
        return NativeMethods.statx(AT_FDCWD, path, 0, NativeMethods.STATX_INO, ref st) == 0 ? st.stx_ino : null;
    }

    /// <summary>True while the path still names this very namespace.</summary>
    public bool StillAtPath() => CurrentInode(Path) == Inode;

    public void Dispose() => Handle.Dispose();

    public override string ToString() => $"{Path} (netns inode {Inode})";

    private static ulong? InodeOf(SafeFileHandle handle)
    {
        var st = new Statx();
        // AT_EMPTY_PATH with an empty path stats the descriptor itself.
        return NativeMethods.statx((int)handle.DangerousGetHandle(), "", NativeMethods.AT_EMPTY_PATH, NativeMethods.STATX_INO, ref st) == 0
            ? st.stx_ino
            : null;
    }
}

[StructLayout(LayoutKind.Sequential)]
internal struct Statx
{
    public uint stx_mask;
    public uint stx_blksize;
    public ulong stx_attributes;
    public uint stx_nlink;
    public uint stx_uid;
    public uint stx_gid;
    public ushort stx_mode;
    private ushort pad1;
    public ulong stx_ino;
    public ulong stx_size;
    public ulong stx_blocks;
    public ulong stx_attributes_mask;
    private unsafe fixed byte rest[256 - 64];
}
