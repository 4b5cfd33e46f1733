namespace Weft.Policy;

/// <summary>An <see cref="AuthorizationPolicy"/> ready for evaluation: arrays only, its name precomputed for decisions.</summary>
internal sealed class CompiledPolicy(AuthorizationPolicy policy)
{
    private readonly CompiledRule[] rules = [.. policy.Rules.Select(r => new CompiledRule(r))];
    private readonly KeyValuePair<string, string>[] selector = Selector.From(policy.Selector);

    public AuthorizationPolicy Source { get; } = policy;

    /// <summary>namespace/name.</summary>
    public string Key { get; } = policy.ToString();

    public PolicyAction Action { get; } = policy.Action;

    /// <summary>Whether it applies to a workload with these labels; null labels: already known to apply.</summary>
    public bool Selects(IReadOnlyDictionary<string, string>? labels) => labels is null || Selector.Selects(selector, labels);

    /// <summary>Any rule matches; no rules match nothing.</summary>
    public bool Matches(in ConnectionFacts facts, in AddressKey source)
    {
        foreach (var rule in rules)
        {
            if (rule.Matches(facts, source))
            {
                return true;
            }
        }

        return false;
    }
}
