namespace Weft.Policy;

/// <summary>The outcome of authorizing one connection. A struct with precomputed strings: building one allocates nothing.</summary>
/// <param name="Allowed">Whether the connection may proceed.</param>
/// <param name="PolicyName">namespace/name of the policy that decided, when one did.</param>
/// <param name="Reason">Which rule of the evaluation order decided.</param>
public readonly record struct Decision(bool Allowed, string? PolicyName, DecisionReason Reason)
{
    internal static Decision NoAllowPolicies => new(true, null, DecisionReason.NoAllowPolicies);

    internal static Decision NoAllowPolicyMatched => new(false, null, DecisionReason.NoAllowPolicyMatched);

    internal static Decision PlaintextRefused => new(false, null, DecisionReason.PlaintextRefused);

    /// <summary>A sentence for logs.</summary>
    public override string ToString() => Reason switch
    {
        DecisionReason.NoAllowPolicies => "allowed: no ALLOW policy applies",
        DecisionReason.AllowPolicyMatched => $"allowed by ALLOW policy {PolicyName}",
        DecisionReason.DenyPolicyMatched => $"denied by DENY policy {PolicyName}",
        DecisionReason.NoAllowPolicyMatched => "denied: no ALLOW policy matched",
        DecisionReason.PlaintextRefused => "denied: plaintext refused, mTLS mode is STRICT",
        _ => Reason.ToString(),
    };
}
