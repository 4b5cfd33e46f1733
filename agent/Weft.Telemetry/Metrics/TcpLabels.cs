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

    /// <summary>Istio's default cluster id: Weft serves one cluster, so every workload is in it.</summary>
    public const string DefaultCluster = "Kubernetes";

    /// <summary>"source" (the client's agent) or "destination" (the server's agent).</summary>
    public required string Reporter { get; init; }

    public string SourceWorkload { get; init; } = Unknown;

    public string SourceWorkloadNamespace { get; init; } = Unknown;

    /// <summary>Also source_app, as ztunnel reports it.</summary>
    public string SourceCanonicalService { get; init; } = Unknown;

    /// <summary>Also source_version.</summary>
    public string SourceCanonicalRevision { get; init; } = Unknown;

    public string SourceCluster { get; init; } = Unknown;

    public string SourcePrincipal { get; init; } = Unknown;

    public string DestinationWorkload { get; init; } = Unknown;

    public string DestinationWorkloadNamespace { get; init; } = Unknown;

    /// <summary>Also destination_app.</summary>
    public string DestinationCanonicalService { get; init; } = Unknown;

    /// <summary>Also destination_version.</summary>
    public string DestinationCanonicalRevision { get; init; } = Unknown;

    public string DestinationCluster { get; init; } = Unknown;

    public string DestinationPrincipal { get; init; } = Unknown;

    /// <summary>The service's host name (name.namespace.svc.cluster.local) when the client dialled a service.</summary>
    public string DestinationService { get; init; } = Unknown;

    public string DestinationServiceName { get; init; } = Unknown;

    public string DestinationServiceNamespace { get; init; } = Unknown;

    /// <summary>"mutual_tls" through a tunnel, else "unknown" (Istio's value for plaintext).</summary>
    public string ConnectionSecurityPolicy { get; init; } = Unknown;

    /// <summary>"-" when proxied; otherwise why not, as ztunnel says it: CONNECT (the upstream could not be reached), DENY (policy).</summary>
    public string ResponseFlags { get; init; } = "-";

    /// <summary>The tags in the order and spelling of the Prometheus labels (one array per label set, made once).</summary>
    internal KeyValuePair<string, object?>[] ToTags() =>
    [
        new("reporter", Reporter),
        new("source_workload", SourceWorkload),
        new("source_canonical_service", SourceCanonicalService),
        new("source_canonical_revision", SourceCanonicalRevision),
        new("source_workload_namespace", SourceWorkloadNamespace),
        new("source_principal", SourcePrincipal),
        new("source_app", SourceCanonicalService),
        new("source_version", SourceCanonicalRevision),
        new("source_cluster", SourceCluster),
        new("destination_service", DestinationService),
        new("destination_service_namespace", DestinationServiceNamespace),
        new("destination_service_name", DestinationServiceName),
        new("destination_workload", DestinationWorkload),
        new("destination_canonical_service", DestinationCanonicalService),
        new("destination_canonical_revision", DestinationCanonicalRevision),
        new("destination_workload_namespace", DestinationWorkloadNamespace),
        new("destination_principal", DestinationPrincipal),
        new("destination_app", DestinationCanonicalService),
        new("destination_version", DestinationCanonicalRevision),
        new("destination_cluster", DestinationCluster),
        new("request_protocol", "tcp"),
        new("response_flags", ResponseFlags),
        new("connection_security_policy", ConnectionSecurityPolicy),
    ];
}
