using System.Formats.Asn1;

namespace Weft.Identity.Tests;

/// <summary>Test CAs and hand-made certificates, built here independently of the code under test.</summary>
internal static class TestPki
{
    public static readonly SpiffeId Web = SpiffeId.Parse("spiffe://cluster.local/ns/shop/sa/web");
    public static readonly SpiffeId Client = SpiffeId.Parse("spiffe://cluster.local/ns/shop/sa/client");

    public static X509Certificate2 EcRoot(string name = "Test EC Root", DateTimeOffset? now = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return SelfSignedCa(new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256), now);
    }

    public static X509Certificate2 RsaRoot(string name = "Test RSA Root")
    {
        var key = RSA.Create(2048);
        return SelfSignedCa(new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), null);
    }

    private static X509Certificate2 SelfSignedCa(CertificateRequest request, DateTimeOffset? now)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(at.AddDays(-1), at.AddYears(5));
    }

    /// <summary>An intermediate CA (ECDSA) signed by <paramref name="root"/>.</summary>
    public static X509Certificate2 Intermediate(X509Certificate2 root, string name = "Test Intermediate")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var cert = request.Create(root, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(2), RandomNumberGenerator.GetBytes(12));
        return cert.CopyWithPrivateKey(key);
    }

    /// <summary>A leaf signed by <paramref name="issuer"/> with exactly the given URI SANs (none: no SAN extension).</summary>
    public static X509Certificate2 Leaf(X509Certificate2 issuer, params string[] uris)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=hand-made", key, HashAlgorithmName.SHA256);
        if (uris.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var uri in uris)
            {
                san.AddUri(new Uri(uri));
            }

            request.CertificateExtensions.Add(san.Build(false));
        }

        using var cert = request.Create(issuer, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1), RandomNumberGenerator.GetBytes(12));
        return cert.CopyWithPrivateKey(key);
    }

    /// <summary>Writes an operator's CA: certificate PEM (plus chain) and the key in the given PEM form.</summary>
    public static (string Cert, string Key) WriteCa(TempDir dir, X509Certificate2 ca, string keyPem, params X509Certificate2[] above)
    {
        var pem = string.Concat(new[] { ca }.Concat(above).Select(c => c.ExportCertificatePem() + "\n"));
        return (dir.Write("ca.crt", pem), dir.Write("ca.key", keyPem));
    }

    /// <summary>Traditional (non-PKCS#8) key PEM, as openssl's older commands write: "RSA PRIVATE KEY" / "EC PRIVATE KEY".</summary>
    public static string TraditionalKeyPem(X509Certificate2 ca) =>
        ca.GetRSAPrivateKey() is { } rsa ? rsa.ExportRSAPrivateKeyPem() : ca.GetECDsaPrivateKey()!.ExportECPrivateKeyPem();

    public static string Pkcs8KeyPem(X509Certificate2 ca) =>
        ((AsymmetricAlgorithm?)ca.GetRSAPrivateKey() ?? ca.GetECDsaPrivateKey())!.ExportPkcs8PrivateKeyPem();

    /// <summary>The URI SANs of a certificate, read with AsnReader: (uri, extension critical).</summary>
    public static (List<string> Uris, bool Critical) UriSans(X509Certificate2 cert)
    {
        var ext = cert.Extensions.Single(e => e.Oid!.Value == "2.5.29.17");
        return (ReadUris(ext.RawData), ext.Critical);
    }

    public static List<string> ReadUris(byte[] generalNames)
    {
        var reader = new AsnReader(generalNames, AsnEncodingRules.DER).ReadSequence();
        var uris = new List<string>();
        var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
        while (reader.HasData)
        {
            if (reader.PeekTag() == uriTag)
            {
                uris.Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, uriTag));
            }
            else
            {
                reader.ReadEncodedValue();
            }
        }

        return uris;
    }
}
