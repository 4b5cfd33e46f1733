namespace Weft.Proxy.Routing;

/// <summary>
/// A workload as logs and metrics name it: the pod's name and namespace (logs, spans), and Istio's
/// metric names: the controller's name (source_workload), the canonical service and revision.
/// </summary>
public sealed record WorkloadName(string Name, string Namespace)
{
    /// <summary>namespace/name, as access logs and spans show a workload; made once per config, not per connection.</summary>
    public string Qualified { get; } = $"{Namespace}/{Name}";

    /// <summary>source_workload / destination_workload: the Deployment (or other controller), else the pod.</summary>
    public string Workload { get; init; } = Name;

    public string CanonicalService { get; init; } = Name;

    public string CanonicalRevision { get; init; } = "latest";
}
