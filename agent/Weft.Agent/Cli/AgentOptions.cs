namespace Weft.Agent.Cli;

/// <summary>Command-line settings of `weft agent`.</summary>
public sealed record AgentOptions
{
    public required string ConfigPath { get; init; }

    /// <summary>Workloads from the Kubernetes API; the config file holds settings and policies only.</summary>
    public bool Kubernetes { get; init; }

    /// <summary>With <see cref="Kubernetes"/>: a kubeconfig file; null for in-cluster, else the default kubeconfig.</summary>
    public string? KubeconfigPath { get; init; }

    /// <summary>With <see cref="Kubernetes"/>: this node, as the API server names it.</summary>
    public string? NodeName { get; init; }

    /// <summary>How the config file is read.</summary>
    public Workloads.ConfigMode ConfigMode => Kubernetes && NodeName is { } node ? Workloads.ConfigMode.Kubernetes(node) : Workloads.ConfigMode.Standalone;

    /// <summary>The compiled eBPF object; by default the one installed beside the agent.</summary>
    public string BpfObjectPath { get; init; } = DefaultBpfObject();

    public string PinRoot { get; init; } = "/sys/fs/bpf/weft";

    public string RunDirectory { get; init; } = "/run/weft";

    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>json (one object a line, for machines) or text.</summary>
    public string LogFormat { get; init; } = "text";

    public string LogLevel { get; init; } = "Information";

    private static string DefaultBpfObject()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "weft.bpf.o");
        return File.Exists(beside) ? beside : Path.Combine(AppContext.BaseDirectory, "bpf", "weft.bpf.o");
    }
}
