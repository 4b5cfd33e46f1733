using System.Security.Cryptography.X509Certificates;

namespace Weft.Identity;

/// <summary>The embedded CA's signing certificate with its key, and the chain above it up to the root.</summary>
internal sealed class CaSigner : IDisposable
{
    public const string EcOid = "1.2.840.10045.2.1";
    public const string RsaOid = "1.2.840.113549.1.1.1";

    public CaSigner(X509Certificate2 certificate, AsymmetricAlgorithm key, IReadOnlyList<X509Certificate2> above)
    {
        Certificate = certificate;
        Key = key;
        var chain = new List<X509Certificate2> { certificate };
        chain.AddRange(above);
        if (!IsSelfSigned(chain[^1]))
        {
            throw new CertificateAuthorityException(
                $"the CA certificate file must end with the root (a self-signed certificate); it ends with '{chain[^1].Subject}'");
        }

        // Everything below the root travels with each leaf; the root alone is the trust anchor.
        Intermediates = chain[..^1];
        Root = chain[^1];
        (Generator, Hash) = key switch
        {
            ECDsa ec => (X509SignatureGenerator.CreateForECDsa(ec), ec.KeySize switch
            {
                > 384 => HashAlgorithmName.SHA512,
                > 256 => HashAlgorithmName.SHA384,
                _ => HashAlgorithmName.SHA256,
            }),
            RSA rsa => (X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1), HashAlgorithmName.SHA256),
            _ => throw new CertificateAuthorityException($"unsupported CA key type {key.GetType().Name}; use RSA or ECDSA"),
        };
        NotAfter = chain.Min(c => new DateTimeOffset(c.NotAfter.ToUniversalTime()));
    }

    public X509Certificate2 Certificate { get; }

    public AsymmetricAlgorithm Key { get; }

    public X509SignatureGenerator Generator { get; }

    public HashAlgorithmName Hash { get; }

    public IReadOnlyList<X509Certificate2> Intermediates { get; }

    public X509Certificate2 Root { get; }

    /// <summary>The earliest expiry along the chain: no leaf may outlive it.</summary>
    public DateTimeOffset NotAfter { get; }

    public static bool IsSelfSigned(X509Certificate2 cert) => cert.SubjectName.RawData.AsSpan().SequenceEqual(cert.IssuerName.RawData);

    public void Dispose() => Key.Dispose();
}
