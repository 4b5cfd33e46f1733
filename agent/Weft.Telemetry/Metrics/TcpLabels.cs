namespace Weft.Telemetry.Metrics;

/// <summary>
/// The labels of Istio's TCP metrics for one side's view of one connection, as its dashboards
/// expect them. Equal label sets share one time series.
/// </summary>
public sealed record TcpLabels
{
    public const string SourceReporter = "source";
    public const string DestinationReporter = "destination";
    public const string MutualTls = "mutual_tls";
    public const string Unknown = "unknown";

    /// <summary>"source" (the client's agent) or "destination" (the server's agent).</summary>
    public required string Reporter { get; init; }

    public string SourceWorkload { get; init; } = Unknown;

    public string SourceWorkloadNamespace { get; init; } = Unknown;

    public string SourcePrincipal { get; init; } = Unknown;

    public string DestinationWorkload { get; init; } = Unknown;

    public string DestinationWorkloadNamespace { get; init; } = Unknown;

    public string DestinationPrincipal { get; init; } = Unknown;

    /// <summary>The service's host name (name.namespace.svc.cluster.local) when the client dialled a service.</summary>
    public string DestinationService { get; init; } = Unknown;

    /// <summary>"mutual_tls" through a tunnel, else "unknown" (Istio's value for plaintext).</summary>
    public string ConnectionSecurityPolicy { get; init; } = Unknown;

    /// <summary>"-" when proxied; otherwise why not, in Envoy's flags: UF (upstream failure), DENY (policy).</summary>
    public string ResponseFlags { get; init; } = "-";

    /// <summary>The tags in the order and spelling of the Prometheus labels (one array per label set, made once).</summary>
    internal KeyValuePair<string, object?>[] ToTags() =>
    [
        new("reporter", Reporter),
        new("source_workload", SourceWorkload),
        new("source_workload_namespace", SourceWorkloadNamespace),
        new("source_principal", SourcePrincipal),
        new("destination_workload", DestinationWorkload),
        new("destination_workload_namespace", DestinationWorkloadNamespace),
        new("destination_principal", DestinationPrincipal),
        new("destination_service", DestinationService),
        new("request_protocol", "tcp"),
        new("response_flags", ResponseFlags),
        new("connection_security_policy", ConnectionSecurityPolicy),
    ];
}
