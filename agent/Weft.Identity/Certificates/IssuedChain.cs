using System.Security.Cryptography.X509Certificates;

namespace Weft.Identity;

/// <summary>What a CA returns: the leaf (public part only), the intermediates up to the root, and the root(s) to trust.</summary>
public sealed class IssuedChain
{
    public IssuedChain(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> intermediates, IReadOnlyList<X509Certificate2> roots)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(intermediates);
        ArgumentNullException.ThrowIfNull(roots);
        if (roots.Count == 0)
        {
            throw new ArgumentException("a chain needs at least one root to trust", nameof(roots));
        }

        Leaf = leaf;
        Intermediates = intermediates;
        Roots = roots;
    }

    public X509Certificate2 Leaf { get; }

    /// <summary>Certificates between the leaf and the root, nearest the leaf first (often none).</summary>
    public IReadOnlyList<X509Certificate2> Intermediates { get; }

    /// <summary>The trust bundle: certificates of peers that chain to one of these are trusted.</summary>
    public IReadOnlyList<X509Certificate2> Roots { get; }

    /// <summary>
    /// Reads an Istio-style chain: PEM strings, leaf first and root last. An entry may hold several PEM
    /// blocks (some CAs return the whole chain in one string); they are taken in order.
    /// </summary>
    public static IssuedChain FromPem(IEnumerable<string> pemChain)
    {
        ArgumentNullException.ThrowIfNull(pemChain);
        var certs = new X509Certificate2Collection();
        foreach (var pem in pemChain)
        {
            certs.ImportFromPem(pem);
        }

        if (certs.Count < 2)
        {
            throw new CertificateAuthorityException(
                $"the CA returned {certs.Count} certificate(s); expected the leaf followed by its chain up to the root");
        }

        var list = certs.ToList();
        return new IssuedChain(list[0], list[1..^1], [list[^1]]);
    }
}
