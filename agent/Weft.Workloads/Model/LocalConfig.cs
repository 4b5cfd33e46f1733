using Weft.Policy;

namespace Weft.Workloads;

/// <summary>
/// The node's local config file: which node this is, what runs where and which services exist.
/// Immutable: a reload produces a new instance, so readers never see half an update.
/// </summary>
public sealed record LocalConfig
{
    public const string DefaultTrustDomain = "cluster.local";
    public const string DefaultRootNamespace = PolicySet.DefaultRootNamespace;

    /// <summary>The node this agent runs on; only workloads on it are enrolled.</summary>
    public required string Node { get; init; }

    public string TrustDomain { get; init; } = DefaultTrustDomain;

    /// <summary>
    /// cgroup v2 directory the capture programs attach to; null for the root of the host's cgroup v2
    /// mount, found at start (/sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid one).
    /// </summary>
    public string? CgroupRoot { get; init; }

    public CaptureSettings Capture { get; init; } = CaptureSettings.None;

    /// <summary>Where workload certificates come from.</summary>
    public IdentitySettings Identity { get; init; } = IdentitySettings.Default;

    /// <summary>The agent's listeners (metrics, readiness, admin), OTLP export, sampling and access log.</summary>
    public TelemetrySettings Telemetry { get; init; } = TelemetrySettings.Default;

    public IReadOnlyList<NamespaceInfo> Namespaces { get; init; } = [];

    public IReadOnlyList<Workload> Workloads { get; init; } = [];

    public IReadOnlyList<Service> Services { get; init; } = [];

    /// <summary>Policies here without a selector apply mesh-wide, as in Istio's meshConfig.rootNamespace.</summary>
    public string RootNamespace { get; init; } = DefaultRootNamespace;

    /// <summary>L4 authorization policies (Istio AuthorizationPolicy), in file order.</summary>
    public IReadOnlyList<AuthorizationPolicy> Policies { get; init; } = [];

    /// <summary>mTLS modes (Istio PeerAuthentication), in file order.</summary>
    public IReadOnlyList<MtlsPolicy> Mtls { get; init; } = [];

    /// <summary>The file this config was read from (the source name when parsed from text).</summary>
    public string SourcePath { get; init; } = "";

    /// <summary>
    /// The namespace as declared, or one without labels: every pod has a namespace, declaring it
    /// only adds labels, so an undeclared one is not an error.
    /// </summary>
    public NamespaceInfo GetNamespace(string name)
    {
        foreach (var ns in Namespaces)
        {
            if (ns.Name == name)
            {
                return ns;
            }
        }

        return new NamespaceInfo { Name = name };
    }
}
