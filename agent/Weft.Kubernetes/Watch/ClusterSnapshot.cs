using System.Collections.Frozen;
using Weft.Kubernetes.Api;

namespace Weft.Kubernetes.Watch;

/// <summary>
/// Immutable view of everything watched. A new instance is built per published change, so a reader
/// holding one never sees half an update, and can keep it as long as it likes.
/// </summary>
public sealed record ClusterSnapshot
{
    public static ClusterSnapshot Empty { get; } = new()
    {
        Namespaces = FrozenDictionary<string, ClusterNamespace>.Empty,
        Pods = FrozenDictionary<string, Pod>.Empty,
        Services = FrozenDictionary<string, Service>.Empty,
        EndpointSlices = FrozenDictionary<string, EndpointSlice>.Empty,
    };

    /// <summary>Keyed by name.</summary>
    public required IReadOnlyDictionary<string, ClusterNamespace> Namespaces { get; init; }

    /// <summary>Keyed by "namespace/name".</summary>
    public required IReadOnlyDictionary<string, Pod> Pods { get; init; }

    /// <summary>Keyed by "namespace/name".</summary>
    public required IReadOnlyDictionary<string, Service> Services { get; init; }

    /// <summary>Keyed by "namespace/name".</summary>
    public required IReadOnlyDictionary<string, EndpointSlice> EndpointSlices { get; init; }

    /// <summary>Every resource kind has completed its initial list.</summary>
    public bool Synced { get; init; }
}
