using System.Runtime.InteropServices;

namespace Weft.Lab.Infra;

internal static partial class NativeMethods
{
    private const uint STATX_INO = 0x100;

    // struct statx is 256 bytes on every architecture; stx_ino is the u64 at offset 32.
    private const int StatxSize = 256;
    private const int StatxInoOffset = 32;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buf);

    /// <summary>The inode of <paramref name="path"/> (following links), or null if it cannot be read.</summary>
    public static unsafe ulong? Inode(string path)
    {
        const int AT_FDCWD = -100;
        var buf = stackalloc byte[StatxSize];
        return statx(AT_FDCWD, path, 0, STATX_INO, buf) == 0 ? *(ulong*)(buf + StatxInoOffset) : null;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int sig);

    /// <summary>Sends a signal (SIGTERM 15, SIGINT 2, SIGKILL 9); false if the process is gone.</summary>
    public static bool Signal(int pid, int signal) => KillNative(pid, signal) == 0;
}
