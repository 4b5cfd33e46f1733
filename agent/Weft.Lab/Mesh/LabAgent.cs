
namespace Weft.Lab.Mesh;

/// <summary>
/// The real agent binary running on a lab node (host netns, the node's host cgroup), with
/// its JSON log parsed so demos and tests can see what it enrolled and proxied.
/// </summary>
public sealed class LabAgent : IDisposable
{
    public const int AgentReady = 1;
    public const int PodEnrolled = 3001;
    public const int PodReleased = 3002;

    private LabAgent(LabProcess process, string configPath)
    {
        Process = process;
        ConfigPath = configPath;
    }

    public LabProcess Process { get; }

    public string ConfigPath { get; }

    public IReadOnlyList<AgentLogEntry> Log => [.. Process.StdoutLines.Select(AgentLogEntry.TryParse).OfType<AgentLogEntry>()];

    public IReadOnlyList<AccessRecord> AccessLog => [.. Log.Where(e => e.EventId == AccessRecord.EventId).Select(AccessRecord.From)];

    /// <summary>The agent binary next to this lab build (out/agent/weft), unless WEFT_AGENT says otherwise.</summary>
    public static string DefaultBinary =>
        Environment.GetEnvironmentVariable("WEFT_AGENT") is { Length: > 0 } env
            ? env
            : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "agent", "weft"));

    /// <summary>Starts the agent with <paramref name="configPath"/> and waits until it says it is ready.</summary>
    public static async Task<LabAgent> StartAsync(LabNode node, string configPath, string? binary = null, TimeSpan? readyTimeout = null, params string[] extraArgs)
    {
        ArgumentNullException.ThrowIfNull(node);
        binary ??= DefaultBinary;
        if (!File.Exists(binary))
        {
            throw new FileNotFoundException($"agent binary {binary} not found: run 'make build' (or set WEFT_AGENT)", binary);
        }

        var process = node.StartOnHost(binary, ["agent", "--config", configPath, "--log-format", "json", "--drain", "2", .. extraArgs]);
        var agent = new LabAgent(process, configPath);
        try
        {
            await agent.WaitForAsync(AgentReady, _ => true, readyTimeout ?? TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            return agent;
        }
        catch
        {
            agent.Dispose();
            throw;
        }
    }

    /// <summary>Waits for a log event (already logged or still to come).</summary>
    public async Task<AgentLogEntry> WaitForAsync(int eventId, Func<AgentLogEntry, bool> match, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(match);
        var line = await Process.WaitForLineAsync(
            l => AgentLogEntry.TryParse(l) is { } e && e.EventId == eventId && match(e), timeout).ConfigureAwait(false);
        return AgentLogEntry.TryParse(line)!;
    }

    /// <summary>Waits for a log event logged after the first <paramref name="skipLines"/> lines of output (take the count before acting).</summary>
    public async Task<AgentLogEntry> WaitForAsync(int eventId, Func<AgentLogEntry, bool> match, TimeSpan timeout, int skipLines)
    {
        ArgumentNullException.ThrowIfNull(match);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var found = Process.StdoutLines.Skip(skipLines).Select(AgentLogEntry.TryParse)
                .FirstOrDefault(e => e is not null && e.EventId == eventId && match(e));
            if (found is not null)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"agent pid {Process.Pid}: no event {eventId} within {timeout.TotalSeconds} s; its last lines since:\n{Process.LastLines(5, skipLines)}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <summary>Lines of output so far, to pass as skipLines.</summary>
    public int LineCount => Process.StdoutLines.Count;

    /// <summary>
    /// Waits until <paramref name="count"/> access records match, looking only past the first
    /// <paramref name="skip"/> (records from before: client ports get reused).
    /// </summary>
    public async Task<IReadOnlyList<AccessRecord>> WaitForAccessAsync(Func<AccessRecord, bool> match, int count, TimeSpan timeout, int skip = 0)
    {
        ArgumentNullException.ThrowIfNull(match);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var found = AccessLog.Skip(skip).Where(match).ToList();
            if (found.Count >= count || DateTime.UtcNow > deadline)
            {
                return found;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <summary>SIGTERM, then the exit code (or a TimeoutException).</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        Signal(15);
        return await Process.Exited.WaitAsync(timeout ?? TimeSpan.FromSeconds(20)).ConfigureAwait(false);
    }

    /// <summary>SIGKILL: the agent gets no chance to clean up, as in a crash.</summary>
    public async Task CrashAsync()
    {
        Signal(9);
        await Process.Exited.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    public void Dispose() => Process.Dispose();

    private void Signal(int signal)
    {
        if (!Process.HasExited)
        {
            _ = Infra.NativeMethods.Signal(Process.Pid, signal);
        }
    }
}
