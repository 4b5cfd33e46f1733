using System.Runtime.InteropServices;
using Weft.Platform.Netns;

namespace Weft.Platform;

/// <summary>libc calls Tmds.LibC does not offer.</summary>
internal static partial class NativeMethods
{
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_INO = 0x100;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statx(int dirfd, string path, int flags, uint mask, ref Statx buf);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statfs(string path, out StatFs buf);
}

[StructLayout(LayoutKind.Sequential)]
internal struct StatFs
{
    public long f_type;
    private unsafe fixed long rest[15];
}
