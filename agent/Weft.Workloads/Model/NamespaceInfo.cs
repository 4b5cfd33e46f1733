using System.Collections.Frozen;

namespace Weft.Workloads;

/// <summary>A Kubernetes namespace; only its labels matter here (they decide mesh enrolment).</summary>
public sealed record NamespaceInfo
{
    public required string Name { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = FrozenDictionary<string, string>.Empty;
}
