using System.Collections.Frozen;

namespace Weft.Policy;

/// <summary>
/// An L4 authorization policy, as Istio's AuthorizationPolicy. Scope: in the root namespace without a
/// selector it applies mesh-wide; elsewhere to the workloads of its namespace, or only to those whose
/// labels include every selector label.
/// </summary>
public sealed record AuthorizationPolicy
{
    public required string Name { get; init; }

    public required string Namespace { get; init; }

    /// <summary>Workload labels that must all be present and equal; empty applies to the whole namespace.</summary>
    public IReadOnlyDictionary<string, string> Selector { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>Istio's default is ALLOW.</summary>
    public PolicyAction Action { get; init; } = PolicyAction.Allow;

    /// <summary>Any rule may match (OR). No rules: the policy matches nothing (an ALLOW then allows nothing).</summary>
    public IReadOnlyList<PolicyRule> Rules { get; init; } = [];

    /// <summary>namespace/name, the form logs and decisions use.</summary>
    public override string ToString() => $"{Namespace}/{Name}";
}
