namespace Weft.Proxy.Routing;

/// <summary>A workload as metrics name it: its name and namespace.</summary>
public sealed record WorkloadName(string Name, string Namespace)
{
    /// <summary>namespace/name, as access logs and spans show a workload; made once per config, not per connection.</summary>
    public string Qualified { get; } = $"{Namespace}/{Name}";
}
