namespace Weft.Capture;

/// <summary>Where the capture programs come from and where they attach.</summary>
public sealed record CaptureOptions
{
    /// <summary>The compiled eBPF object (bpf/weft.bpf.o, installed beside the agent).</summary>
    public required string ObjectPath { get; init; }

    /// <summary>Node name: maps are pinned under PinRoot/Node, so agents of two nodes can share a kernel.</summary>
    public required string Node { get; init; }

    /// <summary>cgroup v2 directory the connect and sockops programs attach to.</summary>
    public required string CgroupRoot { get; init; }

    public string PinRoot { get; init; } = "/sys/fs/bpf/weft";

    /// <summary>
    /// cgroup v2 id of the process whose marked sockets pass uncaptured: the agent's own
    /// (the default, this process). A pod setting the same mark is still captured.
    /// </summary>
    public ulong? AgentCgroupId { get; init; }

    public string PinDirectory => Path.Combine(PinRoot, Node);
}
