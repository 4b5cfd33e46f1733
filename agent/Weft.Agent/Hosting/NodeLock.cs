using System.Runtime.InteropServices;
using Weft.Platform.Host;

namespace Weft.Agent.Hosting;

/// <summary>
/// One agent per node name: a second one would fight over the same pinned maps and pods.
/// An flock'ed file; the kernel drops the lock when the process dies, so a crash never
/// leaves the node locked.
/// </summary>
public sealed partial class NodeLock : IDisposable
{
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    private readonly FileStream file;

    private NodeLock(FileStream file) => this.file = file;

    public static NodeLock Acquire(string runDirectory, string node)
    {
        Directory.CreateDirectory(runDirectory);
        var path = Path.Combine(runDirectory, node + ".lock");
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        if (flock((int)file.SafeFileHandle.DangerousGetHandle(), LOCK_EX | LOCK_NB) != 0)
        {
            file.Dispose();
            throw new HostRequirementException($"Another weft agent already runs for node '{node}' (it holds {path}): stop it first, or give this one another node name.");
        }

        file.SetLength(0);
        using (var w = new StreamWriter(file, leaveOpen: true))
        {
            w.Write(Environment.ProcessId);
        }

        return new NodeLock(file);
    }

    public void Dispose() => file.Dispose();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);
}
