namespace Weft.Proxy.Routing;

/// <summary>
/// A workload as logs and metrics name it: the pod's name and namespace (logs, spans), and Istio's
/// metric names: the controller's name (source_workload), the canonical service and revision.
/// </summary>
public sealed record WorkloadName(string Name, string Namespace)
{
    /// <summary>namespace/name, as access logs and spans show a workload; made once per config, not per connection.</summary>
    public string Qualified { get; } = $"{Namespace}/{Name}";

    // Derived by Weft.Workloads.WorkloadNames (fallbacks included), once per config.

    /// <summary>source_workload / destination_workload: the Deployment (or other controller), else the pod.</summary>
    public required string Workload { get; init; }

    public required string CanonicalService { get; init; }

    public required string CanonicalRevision { get; init; }
}
