using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Weft.Capture.Libbpf;

/// <summary>A program of a loaded <see cref="BpfObject"/>; valid while the object is.</summary>
public sealed class BpfProgram
{
    private readonly nint prog;

    internal BpfProgram(nint prog, string name)
    {
        this.prog = prog;
        Name = name;
    }

    public string Name { get; }

    public BpfLink AttachCgroup(SafeFileHandle cgroupDir, string cgroupPath)
    {
        ArgumentNullException.ThrowIfNull(cgroupDir);
        LibbpfLog.Clear();
        var link = LibbpfNative.bpf_program__attach_cgroup(prog, (int)cgroupDir.DangerousGetHandle());
        return link != 0
            ? new BpfLink(link, $"{Name} on cgroup {cgroupPath}")
            : throw BpfException.FromErrno($"attaching program {Name} to cgroup {cgroupPath}", Marshal.GetLastPInvokeError());
    }

    public BpfLink AttachNetns(SafeFileHandle netns, string netnsPath)
    {
        ArgumentNullException.ThrowIfNull(netns);
        LibbpfLog.Clear();
        var link = LibbpfNative.bpf_program__attach_netns(prog, (int)netns.DangerousGetHandle());
        return link != 0
            ? new BpfLink(link, $"{Name} on netns {netnsPath}")
            : throw BpfException.FromErrno($"attaching program {Name} to network namespace {netnsPath}", Marshal.GetLastPInvokeError());
    }
}
