namespace Weft.Policy;

/// <summary>A Kubernetes service account, matched exactly against a peer's identity (Istio's <c>serviceAccounts</c>).</summary>
public readonly record struct ServiceAccountRef(string Namespace, string Name)
{
    internal bool Matches(PeerIdentity identity) =>
        string.Equals(identity.Namespace, Namespace, StringComparison.Ordinal)
        && string.Equals(identity.ServiceAccount, Name, StringComparison.Ordinal);

    /// <summary>namespace/name, as configs write it.</summary>
    public override string ToString() => $"{Namespace}/{Name}";
}
