using System.Collections.Frozen;

namespace Weft.Policy;

/// <summary>
/// Istio's PeerAuthentication, reduced to its mode. No namespace (or the root namespace without a
/// selector): mesh-wide; a namespace: that namespace; plus a selector: the matching workloads in it.
/// The most specific entry wins.
/// </summary>
public sealed record MtlsPolicy
{
    /// <summary>Null for the mesh-wide default.</summary>
    public string? Namespace { get; init; }

    /// <summary>Workload labels that must all be present and equal; empty applies to the whole namespace.</summary>
    public IReadOnlyDictionary<string, string> Selector { get; init; } = FrozenDictionary<string, string>.Empty;

    public required MtlsMode Mode { get; init; }
}
