using System.Net;

namespace Weft.Policy;

/// <summary>
/// Who a rule is about (Istio's <c>from.source</c>). Every non-empty field must match (AND); within a
/// field any entry may match (OR); a <c>Not…</c> field matches when no entry does.
/// </summary>
/// <remarks>
/// Identity fields (principals, namespaces, service accounts) never match a plaintext connection, and
/// so their <c>Not…</c> forms always do, as in Istio. A source with no field set matches nothing.
/// </remarks>
public sealed record PolicySource
{
    /// <summary>Peer principals without <c>spiffe://</c>, e.g. <c>cluster.local/ns/shop/sa/client</c>; wildcards allowed.</summary>
    public IReadOnlyList<StringMatch> Principals { get; init; } = [];

    public IReadOnlyList<StringMatch> NotPrincipals { get; init; } = [];

    /// <summary>The peer identity's namespace; wildcards allowed.</summary>
    public IReadOnlyList<StringMatch> Namespaces { get; init; } = [];

    public IReadOnlyList<StringMatch> NotNamespaces { get; init; } = [];

    public IReadOnlyList<ServiceAccountRef> ServiceAccounts { get; init; } = [];

    public IReadOnlyList<ServiceAccountRef> NotServiceAccounts { get; init; } = [];

    /// <summary>Networks the connection's source address is in (an IPv4-mapped IPv6 source counts as IPv4).</summary>
    public IReadOnlyList<IPNetwork> IpBlocks { get; init; } = [];

    public IReadOnlyList<IPNetwork> NotIpBlocks { get; init; } = [];

    public bool IsEmpty =>
        Principals.Count == 0 && NotPrincipals.Count == 0 && Namespaces.Count == 0 && NotNamespaces.Count == 0
        && ServiceAccounts.Count == 0 && NotServiceAccounts.Count == 0 && IpBlocks.Count == 0 && NotIpBlocks.Count == 0;
}
