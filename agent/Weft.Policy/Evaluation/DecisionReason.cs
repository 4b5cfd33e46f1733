namespace Weft.Policy;

/// <summary>Why a connection was allowed or denied.</summary>
public enum DecisionReason
{
    /// <summary>Allowed: no DENY matched and no ALLOW policy applies to the workload.</summary>
    NoAllowPolicies,

    /// <summary>Allowed: an ALLOW policy matched (named in the decision).</summary>
    AllowPolicyMatched,

    /// <summary>Denied: a DENY policy matched (named in the decision).</summary>
    DenyPolicyMatched,

    /// <summary>Denied: ALLOW policies apply to the workload but none matched.</summary>
    NoAllowPolicyMatched,

    /// <summary>Denied: the connection is plaintext and the workload's mTLS mode is STRICT.</summary>
    PlaintextRefused,
}
