namespace Weft.Proxy.Routing;

/// <summary>A workload as metrics name it: its name and namespace.</summary>
public sealed record WorkloadName(string Name, string Namespace);
