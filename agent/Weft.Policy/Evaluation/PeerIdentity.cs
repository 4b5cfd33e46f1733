using System.Diagnostics.CodeAnalysis;

namespace Weft.Policy;

/// <summary>
/// A peer's mesh identity, <c>spiffe://&lt;trustDomain&gt;/ns/&lt;namespace&gt;/sa/&lt;serviceAccount&gt;</c>,
/// as proven by its mTLS certificate. Built once per connection; matching only reads it.
/// </summary>
public sealed class PeerIdentity : IEquatable<PeerIdentity>
{
    private const string Scheme = "spiffe://";

    public PeerIdentity(string trustDomain, string @namespace, string serviceAccount)
    {
        TrustDomain = Segment(trustDomain, nameof(trustDomain));
        Namespace = Segment(@namespace, nameof(@namespace));
        ServiceAccount = Segment(serviceAccount, nameof(serviceAccount));
        Principal = $"{TrustDomain}/ns/{Namespace}/sa/{ServiceAccount}";
    }

    public string TrustDomain { get; }

    public string Namespace { get; }

    public string ServiceAccount { get; }

    /// <summary>The identity as policies name it: the SPIFFE ID without <c>spiffe://</c>.</summary>
    public string Principal { get; }

    /// <summary>Reads a SPIFFE ID of the Kubernetes form; anything else (other paths, query, empty parts) fails.</summary>
    public static bool TryParse(string? spiffeId, [NotNullWhen(true)] out PeerIdentity? identity)
    {
        identity = null;
        if (spiffeId is null || !spiffeId.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = spiffeId[Scheme.Length..].Split('/');
        if (parts.Length != 5 || parts[1] != "ns" || parts[3] != "sa" || Array.Exists(parts, p => !IsSegment(p)))
        {
            return false;
        }

        identity = new PeerIdentity(parts[0], parts[2], parts[4]);
        return true;
    }

    public bool Equals(PeerIdentity? other) => other is not null && string.Equals(Principal, other.Principal, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as PeerIdentity);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Principal);

    /// <summary>The SPIFFE ID.</summary>
    public override string ToString() => Scheme + Principal;

    private static bool IsSegment(string text) =>
        text.Length > 0 && !text.AsSpan().ContainsAny('/', '?', '#') && !text.AsSpan().ContainsAnyInRange('\0', ' ');

    private static string Segment(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text, name);
        return IsSegment(text) ? text : throw new ArgumentException($"\"{text}\" is not a SPIFFE path segment", name);
    }
}
