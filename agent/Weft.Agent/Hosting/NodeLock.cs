using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Weft.Platform.Host;

namespace Weft.Agent.Hosting;

/// <summary>
/// One agent per node name: a second one would fight over the same pinned maps and pods.
/// An flock'ed file; the kernel drops the lock when the process dies, so a crash never
/// leaves the node locked. Opened with open(2), not FileStream, whose own advisory locking
/// would get in the way.
/// </summary>
public sealed partial class NodeLock : IDisposable
{
    private const int O_RDWR = 2;
    private const int O_CREAT = 0x40;
    private const int O_CLOEXEC = 0x80000;
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    private readonly SafeFileHandle handle;

    private NodeLock(SafeFileHandle handle) => this.handle = handle;

    public static NodeLock Acquire(string runDirectory, string node)
    {
        Directory.CreateDirectory(runDirectory);
        var path = Path.Combine(runDirectory, node + ".lock");
        var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0x180);
        if (fd < 0)
        {
            throw new HostRequirementException($"Cannot create the lock file {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}; check --run-dir.");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (flock(fd, LOCK_EX | LOCK_NB) != 0)
        {
            handle.Dispose();
            throw new HostRequirementException($"Another weft agent already runs for node '{node}' (it holds {path}): stop it first, or give this one another node name.");
        }

        return new NodeLock(handle);
    }

    public void Dispose() => handle.Dispose();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);
}
