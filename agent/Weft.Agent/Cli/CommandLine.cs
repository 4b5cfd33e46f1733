namespace Weft.Agent.Cli;

/// <summary>Parses `weft agent` arguments; errors are sentences meant for the terminal.</summary>
public static class CommandLine
{
    public const string Usage = """
        usage: weft agent --config FILE [options]
          --config FILE        local workload config (YAML); reloaded when it changes
          --bpf-object FILE    compiled eBPF object (default: weft.bpf.o beside the agent)
          --pin-root DIR       where maps are pinned (default /sys/fs/bpf/weft; the node name is appended)
          --run-dir DIR        lock files (default /run/weft)
          --drain SECONDS      how long SIGTERM waits for live connections (default 5)
          --log-format FORMAT  text (default) or json
          --log-level LEVEL    Trace, Debug, Information (default), Warning, Error
        """;

    public static AgentOptions ParseAgent(IReadOnlyList<string> args)
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

        return options with { ConfigPath = config ?? throw new UsageException("--config FILE is required") };
    }
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
