namespace Weft.Policy;

/// <summary>What applies to one known workload, resolved when the set is built: the hot path's only lookup.</summary>
internal sealed record WorkloadEntry(ScopePolicies Policies, MtlsMode Mode);
