using System.Runtime.InteropServices;

namespace Weft.Capture.Libbpf;

/// <summary>
/// An attachment of a program (to a cgroup or a network namespace). Links are not
/// pinned: if the agent dies the kernel detaches them, and pods talk directly again.
/// </summary>
public sealed class BpfLink : SafeHandle
{
    internal BpfLink(nint handle, string description)
        : base(0, ownsHandle: true)
    {
        SetHandle(handle);
        Description = description;
    }

    public string Description { get; }

    public override bool IsInvalid => handle == 0;

    public override string ToString() => Description;

    protected override bool ReleaseHandle() => LibbpfNative.bpf_link__destroy(handle) == 0;
}
