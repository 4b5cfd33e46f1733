namespace Weft.Policy;

/// <summary>Policies of one scope (mesh, a namespace, or exactly those applying to one workload), split by action.</summary>
internal sealed class ScopePolicies
{
    public static ScopePolicies Empty { get; } = new([]);

    public ScopePolicies(IEnumerable<CompiledPolicy> policies)
    {
        var all = policies.ToArray();
        Deny = [.. all.Where(p => p.Action == PolicyAction.Deny)];
        Allow = [.. all.Where(p => p.Action == PolicyAction.Allow)];
    }

    public CompiledPolicy[] Deny { get; }

    public CompiledPolicy[] Allow { get; }
}
