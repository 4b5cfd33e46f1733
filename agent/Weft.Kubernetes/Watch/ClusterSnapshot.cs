using System.Collections.Frozen;
using k8s.Models;

namespace Weft.Kubernetes.Watch;

/// <summary>
/// Immutable view of everything watched. A new instance is built per published change, so a reader
/// holding one never sees half an update, and can keep it as long as it likes.
/// </summary>
public sealed record ClusterSnapshot
{
    public static ClusterSnapshot Empty { get; } = new()
    {
        Namespaces = FrozenDictionary<string, V1Namespace>.Empty,
        Pods = FrozenDictionary<string, V1Pod>.Empty,
        Services = FrozenDictionary<string, V1Service>.Empty,
        EndpointSlices = FrozenDictionary<string, V1EndpointSlice>.Empty,
    };

    /// <summary>Keyed by name.</summary>
    public required IReadOnlyDictionary<string, V1Namespace> Namespaces { get; init; }

    /// <summary>Keyed by "namespace/name".</summary>
    public required IReadOnlyDictionary<string, V1Pod> Pods { get; init; }

    /// <summary>Keyed by "namespace/name".</summary>
    public required IReadOnlyDictionary<string, V1Service> Services { get; init; }

    /// <summary>Keyed by "namespace/name".</summary>
    public required IReadOnlyDictionary<string, V1EndpointSlice> EndpointSlices { get; init; }

    /// <summary>Every resource kind has completed its initial list.</summary>
    public bool Synced { get; init; }
}
