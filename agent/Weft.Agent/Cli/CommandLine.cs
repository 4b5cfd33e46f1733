namespace Weft.Agent.Cli;

/// <summary>Parses `weft agent` arguments; errors are sentences meant for the terminal.</summary>
public static class CommandLine
{
    public const string Usage = """
        usage: weft agent --config FILE [options]
               weft agent --kubernetes --config FILE [options]
          --config FILE        the config (YAML), reloaded when it changes: standalone, the node and its
                               workloads; with --kubernetes, settings and policies only
          --kubernetes         take namespaces, pods, services and endpoint slices from the Kubernetes API
          --kubeconfig FILE    with --kubernetes: the API server and credentials (default: in-cluster
                               service account, else $KUBECONFIG or ~/.kube/config)
          --node NAME          with --kubernetes: this node's name (default: $NODE_NAME)
          --bpf-object FILE    compiled eBPF object (default: weft.bpf.o beside the agent)
          --pin-root DIR       where maps are pinned (default /sys/fs/bpf/weft; the node name is appended)
          --run-dir DIR        lock files (default /run/weft)
          --drain SECONDS      how long SIGTERM waits for live connections (default 5)
          --log-format FORMAT  text (default) or json
          --log-level LEVEL    Trace, Debug, Information (default), Warning, Error
        """;

    /// <param name="args">The arguments after "agent".</param>
    /// <param name="nodeFromEnvironment">NODE_NAME, for --kubernetes without --node.</param>
    public static AgentOptions ParseAgent(IReadOnlyList<string> args, string? nodeFromEnvironment = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? config = null;
        var options = new AgentOptions { ConfigPath = "" };
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{arg} needs a value");
            switch (arg)
            {
                case "--config":
                    config = Value();
                    break;
                case "--kubernetes":
                    options = options with { Kubernetes = true };
                    break;
                case "--kubeconfig":
                    options = options with { KubeconfigPath = Value() };
                    break;
                case "--node":
                    options = options with { NodeName = Value() };
                    break;
                case "--bpf-object":
                    options = options with { BpfObjectPath = Value() };
                    break;
                case "--pin-root":
                    options = options with { PinRoot = Value() };
                    break;
                case "--run-dir":
                    options = options with { RunDirectory = Value() };
                    break;
                case "--drain":
                    var v = Value();
                    options = options with
                    {
                        DrainTimeout = double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var s) && s >= 0
                            ? TimeSpan.FromSeconds(s)
                            : throw new UsageException($"--drain takes a number of seconds, not '{v}'"),
                    };
                    break;
                case "--log-format":
                    var f = Value();
                    options = options with { LogFormat = f is "json" or "text" ? f : throw new UsageException($"--log-format is text or json, not '{f}'") };
                    break;
                case "--log-level":
                    var l = Value();
                    options = options with { LogLevel = Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(l, true, out _) ? l : throw new UsageException($"--log-level: unknown level '{l}'") };
                    break;
                default:
                    throw new UsageException($"unknown option {arg}");
            }
        }

        options = options with { ConfigPath = config ?? throw new UsageException("--config FILE is required") };
        return options.Kubernetes ? WithNode(options, nodeFromEnvironment) : NotKubernetes(options);
    }

    private static AgentOptions WithNode(AgentOptions options, string? nodeFromEnvironment)
    {
        var node = options.NodeName ?? nodeFromEnvironment;
        if (string.IsNullOrEmpty(node))
        {
            throw new UsageException("--kubernetes needs this node's name: set NODE_NAME (in a DaemonSet, from the downward API's spec.nodeName) or pass --node NAME");
        }

        try
        {
            _ = Workloads.ConfigMode.Kubernetes(node);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"node name: {e.Message}", e);
        }

        return options with { NodeName = node };
    }

    private static AgentOptions NotKubernetes(AgentOptions options) =>
        options.KubeconfigPath is not null ? throw new UsageException("--kubeconfig is only for --kubernetes")
        : options.NodeName is not null ? throw new UsageException("--node is only for --kubernetes: standalone, the config file names the node")
        : options;
}

public sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
