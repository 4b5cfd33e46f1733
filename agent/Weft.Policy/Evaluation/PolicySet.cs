using System.Collections.Frozen;

namespace Weft.Policy;

/// <summary>
/// An immutable, precompiled set of authorization and mTLS policies: build one per config, swap it in
/// whole (see <see cref="Authorizer"/>). <see cref="Evaluate"/> allocates nothing.
/// </summary>
/// <remarks>
/// Evaluation order, as Istio's: a plaintext connection to a STRICT workload is denied; then any
/// matching DENY denies; then, if no ALLOW policy applies to the workload, the connection is allowed;
/// otherwise a matching ALLOW allows and anything else is denied.
/// </remarks>
public sealed class PolicySet
{
    public const string DefaultRootNamespace = "istio-system";

    private readonly ScopePolicies meshWide;
    private readonly FrozenDictionary<string, ScopePolicies> byNamespace;
    private readonly FrozenDictionary<string, WorkloadEntry> byWorkload;
    private readonly MtlsIndex mtls;

    private PolicySet(IReadOnlyList<AuthorizationPolicy> policies, IReadOnlyList<MtlsPolicy> mtlsPolicies, string rootNamespace, IEnumerable<PolicyWorkload> workloads)
    {
        Policies = policies;
        MtlsPolicies = mtlsPolicies;
        RootNamespace = rootNamespace;
        mtls = new MtlsIndex(mtlsPolicies, rootNamespace);

        var compiled = policies.Select(p => new CompiledPolicy(p)).ToArray();
        meshWide = new ScopePolicies(compiled.Where(p => p.Source.Namespace == rootNamespace));
        byNamespace = compiled
            .Where(p => p.Source.Namespace != rootNamespace)
            .GroupBy(p => p.Source.Namespace, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => new ScopePolicies(g), StringComparer.Ordinal);

        var entries = new Dictionary<string, WorkloadEntry>(StringComparer.Ordinal);
        foreach (var workload in workloads)
        {
            var scope = byNamespace.GetValueOrDefault(workload.Namespace, ScopePolicies.Empty);
            var applicable = meshWide.Deny.Concat(meshWide.Allow)
                .Concat(scope.Deny.Where(p => p.Selects(workload.Labels)))
                .Concat(scope.Allow.Where(p => p.Selects(workload.Labels)));
            entries[workload.Uid] = new WorkloadEntry(new ScopePolicies(applicable), mtls.ModeFor(workload.Namespace, workload.Labels));
        }

        byWorkload = entries.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>No policies: everything is allowed, plaintext included.</summary>
    public static PolicySet Empty { get; } = Create([], []);

    public IReadOnlyList<AuthorizationPolicy> Policies { get; }

    public IReadOnlyList<MtlsPolicy> MtlsPolicies { get; }

    /// <summary>A policy in this namespace without a selector applies mesh-wide (Istio's meshConfig.rootNamespace).</summary>
    public string RootNamespace { get; }

    /// <summary>Compiles the policies.</summary>
    /// <param name="policies">Authorization policies; namespace/name must be unique.</param>
    /// <param name="mtls">mTLS modes; where two of the same scope overlap, the first listed wins.</param>
    /// <param name="rootNamespace">The namespace whose selector-less policies apply mesh-wide.</param>
    /// <param name="workloads">Workloads to resolve up front (this node's); others are resolved per call, still without allocating.</param>
    /// <exception cref="ArgumentException">Two policies share namespace/name, or a mesh-wide policy has a selector.</exception>
    public static PolicySet Create(
        IEnumerable<AuthorizationPolicy> policies,
        IEnumerable<MtlsPolicy> mtls,
        string rootNamespace = DefaultRootNamespace,
        IEnumerable<PolicyWorkload>? workloads = null)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(mtls);
        ArgumentException.ThrowIfNullOrEmpty(rootNamespace);
        var policyList = policies.ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var policy in policyList)
        {
            ArgumentNullException.ThrowIfNull(policy, nameof(policies));
            if (!seen.Add(policy.ToString()))
            {
                throw new ArgumentException($"two policies are named {policy}", nameof(policies));
            }

            if (policy.Namespace == rootNamespace && policy.Selector.Count > 0)
            {
                throw new ArgumentException($"policy {policy} is in the root namespace, so applies mesh-wide, and cannot have a selector", nameof(policies));
            }
        }

        return new PolicySet(Array.AsReadOnly(policyList), Array.AsReadOnly(mtls.ToArray()), rootNamespace, workloads ?? []);
    }

    /// <summary>Authorizes one connection. Allocates nothing.</summary>
    public Decision Evaluate(in ConnectionFacts facts)
    {
        var destination = facts.Destination;
        ArgumentNullException.ThrowIfNull(destination, nameof(facts));
        var source = AddressKey.From(facts.SourceAddress);

        // Known workloads: policies resolved by the current config's view of the workload, so a
        // relabelled workload is judged by its new labels even from a connection made before.
        if (byWorkload.TryGetValue(destination.Uid, out var entry))
        {
            return Decide(facts, source, entry.Mode, entry.Policies, ScopePolicies.Empty, labels: null);
        }

        var scope = byNamespace.GetValueOrDefault(destination.Namespace, ScopePolicies.Empty);
        return Decide(facts, source, mtls.ModeFor(destination.Namespace, destination.Labels), meshWide, scope, destination.Labels);
    }

    /// <summary>The mTLS mode in force for the workload.</summary>
    public MtlsMode MtlsModeFor(PolicyWorkload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        return byWorkload.TryGetValue(workload.Uid, out var entry) ? entry.Mode : mtls.ModeFor(workload.Namespace, workload.Labels);
    }

    /// <summary>The authorization policies that apply to the workload, DENY first (for diagnostics).</summary>
    public IReadOnlyList<AuthorizationPolicy> PoliciesFor(PolicyWorkload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        if (byWorkload.TryGetValue(workload.Uid, out var entry))
        {
            return [.. entry.Policies.Deny.Concat(entry.Policies.Allow).Select(p => p.Source)];
        }

        var scope = byNamespace.GetValueOrDefault(workload.Namespace, ScopePolicies.Empty);
        return [.. meshWide.Deny.Concat(scope.Deny.Where(p => p.Selects(workload.Labels)))
            .Concat(meshWide.Allow).Concat(scope.Allow.Where(p => p.Selects(workload.Labels)))
            .Select(p => p.Source)];
    }

    /// <summary>
    /// The live connections this set does not allow: what to close after swapping it in. Each is
    /// judged as if it were new, so a policy, label or mTLS change revokes what it no longer allows.
    /// </summary>
    public IReadOnlyList<RevokedConnection<T>> Revoked<T>(IEnumerable<(T Handle, ConnectionFacts Facts)> live)
    {
        ArgumentNullException.ThrowIfNull(live);
        var revoked = new List<RevokedConnection<T>>();
        foreach (var (handle, facts) in live)
        {
            var decision = Evaluate(facts);
            if (!decision.Allowed)
            {
                revoked.Add(new RevokedConnection<T>(handle, facts, decision));
            }
        }

        return revoked;
    }

    private static Decision Decide(
        in ConnectionFacts facts, in AddressKey source, MtlsMode mode, ScopePolicies first, ScopePolicies second, IReadOnlyDictionary<string, string>? labels)
    {
        // STRICT is a DENY for connections without an identity, as ambient's converted policy is.
        if (facts.Source is null && mode == MtlsMode.Strict)
        {
            return Decision.PlaintextRefused;
        }

        if ((FirstMatch(first.Deny, facts, source, labels) ?? FirstMatch(second.Deny, facts, source, labels)) is { } deny)
        {
            return new Decision(false, deny.Key, DecisionReason.DenyPolicyMatched);
        }

        var applies = false;
        if ((FirstMatch(first.Allow, facts, source, labels, ref applies) ?? FirstMatch(second.Allow, facts, source, labels, ref applies)) is { } allow)
        {
            return new Decision(true, allow.Key, DecisionReason.AllowPolicyMatched);
        }

        return applies ? Decision.NoAllowPolicyMatched : Decision.NoAllowPolicies;
    }

    private static CompiledPolicy? FirstMatch(CompiledPolicy[] policies, in ConnectionFacts facts, in AddressKey source, IReadOnlyDictionary<string, string>? labels)
    {
        var ignored = false;
        return FirstMatch(policies, facts, source, labels, ref ignored);
    }

    /// <param name="applies">Set when any of the policies applies to the workload, matching or not.</param>
    private static CompiledPolicy? FirstMatch(
        CompiledPolicy[] policies, in ConnectionFacts facts, in AddressKey source, IReadOnlyDictionary<string, string>? labels, ref bool applies)
    {
        foreach (var policy in policies)
        {
            if (!policy.Selects(labels))
            {
                continue;
            }

            applies = true;
            if (policy.Matches(facts, source))
            {
                return policy;
            }
        }

        return null;
    }
}
