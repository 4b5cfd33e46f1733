namespace Weft.Workloads;

/// <summary>
/// Where workload certificates come from (the config's `identity` section). Either the
/// embedded CA — with the operator's root (<see cref="CaCert"/>/<see cref="CaKey"/>) or one it
/// generates under <see cref="StateDir"/> — or an Istio-compatible CA (<see cref="IstioCa"/>).
/// </summary>
public sealed record IdentitySettings
{
    public const string DefaultStateDir = "/var/lib/weft";

    public static IdentitySettings Default { get; } = new();

    public string? CaCert { get; init; }

    public string? CaKey { get; init; }

    public string StateDir { get; init; } = DefaultStateDir;

    public IstioCaSettings? IstioCa { get; init; }

    public TimeSpan CertificateTtl { get; init; } = TimeSpan.FromHours(24);
}

/// <summary>An Istio-compatible CA reached over gRPC (istio.v1.auth.IstioCertificateService).</summary>
public sealed record IstioCaSettings
{
    public required Uri Address { get; init; }

    /// <summary>PEM root that the CA's TLS certificate must chain to.</summary>
    public string? RootCert { get; init; }

    /// <summary>Bearer token file, read at each request (projected tokens rotate).</summary>
    public string? TokenFile { get; init; }

    public string ClusterId { get; init; } = "Kubernetes";
}
