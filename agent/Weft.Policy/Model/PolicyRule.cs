namespace Weft.Policy;

/// <summary>
/// One rule: some source in <see cref="From"/> AND some operation in <see cref="To"/>. An empty list
/// places no condition, so a rule with both empty matches every connection (Istio's <c>rules: [{}]</c>).
/// </summary>
public sealed record PolicyRule
{
    /// <summary>The rule that matches every connection.</summary>
    public static PolicyRule Any { get; } = new();

    public IReadOnlyList<PolicySource> From { get; init; } = [];

    public IReadOnlyList<PolicyOperation> To { get; init; } = [];
}
