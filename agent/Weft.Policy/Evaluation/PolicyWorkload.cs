using System.Collections.Frozen;

namespace Weft.Policy;

/// <summary>A destination workload as authorization sees it: which policies apply depends on its namespace and labels.</summary>
/// <remarks>
/// Create one per workload and reuse it for every connection to it. A <see cref="PolicySet"/> that
/// was built knowing this <see cref="Uid"/> judges by its own copy of the namespace and labels (the
/// current config's), so connections made before a relabelling are judged by the new labels.
/// </remarks>
public sealed record PolicyWorkload
{
    /// <summary>The workload's unique key (its uid in the config); precomputed lookups are by this key.</summary>
    public required string Uid { get; init; }

    public required string Namespace { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = FrozenDictionary<string, string>.Empty;

    public override string ToString() => Uid;
}
