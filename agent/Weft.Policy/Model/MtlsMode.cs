namespace Weft.Policy;

/// <summary>Whether a workload accepts plaintext connections from outside the mesh (Istio's PeerAuthentication modes).</summary>
public enum MtlsMode
{
    /// <summary>Plaintext and mTLS are both accepted: the default, so workloads outside the mesh keep working.</summary>
    Permissive,

    /// <summary>Plaintext is refused; only connections with a mesh identity get through.</summary>
    Strict,
}
