namespace Weft.Workloads;

/// <summary>
/// Where the agent's picture of the node comes from: the local config file, or the Kubernetes API
/// merged with the settings file. Either way the result is one immutable <see cref="LocalConfig"/>,
/// so capture, identity and policy never know which.
/// </summary>
public interface IWorkloadSource
{
    /// <summary>The config in force.</summary>
    LocalConfig Current { get; }

    /// <summary>A new config is in force. Raised one at a time, in order, on a background thread; keep handlers short.</summary>
    event EventHandler<LocalConfig>? Changed;

    /// <summary>Completes with the next config published after this call.</summary>
    Task<LocalConfig> NextChangeAsync(CancellationToken cancellationToken = default);

    /// <summary>Null once <see cref="Current"/> describes the node; otherwise why not yet, for readiness.</summary>
    string? NotReadyReason => null;
}
