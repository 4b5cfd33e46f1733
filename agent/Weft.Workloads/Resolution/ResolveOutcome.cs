namespace Weft.Workloads;

/// <summary>What an original destination turned out to be.</summary>
public enum ResolveOutcome
{
    /// <summary>Neither a service nor a workload address: not ours, pass it through unchanged.</summary>
    Unknown,

    /// <summary>A service address and port: <see cref="Resolved.Endpoint"/> is one of its endpoints.</summary>
    ServiceEndpoint,

    /// <summary>A workload address: <see cref="Resolved.Endpoint"/> is the destination itself.</summary>
    Workload,

    /// <summary>A service address and port, but no workload matches the selector: refuse the connection.</summary>
    NoEndpoints,

    /// <summary>A service address, but the port is not one of the service's: refuse the connection.</summary>
    UnknownServicePort,
}
