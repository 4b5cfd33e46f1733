using System.Runtime.InteropServices;

namespace Weft.Workloads.Tests;

/// <summary>rename(2) itself: File.Move and Directory.Move refuse to replace a symlink to a directory, as kubelet does.</summary>
internal static partial class Libc
{
    public static void Rename(string from, string to)
    {
        if (rename(from, to) != 0)
        {
            throw new IOException($"rename {from} -> {to}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rename(string from, string to);
}
