namespace Weft.Workloads;

/// <summary>How <see cref="LocalConfigSource"/> notices changes.</summary>
public sealed record LocalConfigSourceOptions
{
    /// <summary>Quiet time after the last file event before reloading: editors and kubelet write in bursts.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How often the file's modification time and size are compared, as a safety net for lost or
    /// unavailable file events (inotify limits, some network file systems). Zero or less disables it.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Standalone (the file describes the node's workloads) or Kubernetes (settings and policies only).</summary>
    public ConfigMode Mode { get; init; } = ConfigMode.Standalone;

    /// <summary>Watch the file's directory for events; false leaves only the periodic check.</summary>
    public bool WatchDirectory { get; init; } = true;
}
