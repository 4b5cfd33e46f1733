using System.Security.Cryptography.X509Certificates;

namespace Weft.Identity;

/// <summary>Reads an operator's CA from PEM files, or generates and keeps one in a state directory.</summary>
internal static class CaFiles
{
    public const string CertFileName = "ca.crt";
    public const string KeyFileName = "ca.key";
    public static readonly TimeSpan GeneratedRootLifetime = TimeSpan.FromDays(3650);

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Loads <paramref name="certFile"/> (the signing certificate first, then its chain up to the root) and the
    /// matching RSA or ECDSA key (PKCS#8, PKCS#1 or SEC1 PEM, unencrypted).
    /// </summary>
    public static CaSigner Load(string certFile, string keyFile)
    {
        var certs = new X509Certificate2Collection();
        try
        {
            certs.ImportFromPemFile(certFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new CertificateAuthorityException($"cannot read CA certificate {certFile}: {e.Message}", e);
        }

        if (certs.Count == 0)
        {
            throw new CertificateAuthorityException($"{certFile} holds no PEM certificate");
        }

        var signer = certs[0];
        var basic = signer.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (basic is not { CertificateAuthority: true })
        {
            throw new CertificateAuthorityException($"{certFile}: '{signer.Subject}' is not a CA certificate (basicConstraints CA:true is missing)");
        }

        var usage = signer.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is not null && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
        {
            throw new CertificateAuthorityException($"{certFile}: '{signer.Subject}' may not sign certificates (keyUsage lacks keyCertSign)");
        }

        var key = LoadKey(keyFile, signer);
        return new CaSigner(signer, key, certs.Skip(1).ToList());
    }

    private static AsymmetricAlgorithm LoadKey(string keyFile, X509Certificate2 cert)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateAuthorityException($"cannot read CA key {keyFile}: {e.Message}", e);
        }

        AsymmetricAlgorithm key = cert.GetKeyAlgorithm() switch
        {
            CaSigner.EcOid => ECDsa.Create(),
            CaSigner.RsaOid => RSA.Create(),
            var oid => throw new CertificateAuthorityException($"CA certificate key algorithm {oid} is not supported; use RSA or ECDSA"),
        };
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new CertificateAuthorityException(
                $"cannot use CA key {keyFile} (it must be an unencrypted PEM key of the same type as the CA certificate): {e.Message}", e);
        }

        if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(cert.PublicKey.ExportSubjectPublicKeyInfo()))
        {
            key.Dispose();
            throw new CertificateAuthorityException($"CA key {keyFile} does not belong to the certificate '{cert.Subject}'");
        }

        return key;
    }

    /// <summary>Loads the CA kept in <paramref name="dir"/>, generating it first when the directory has none.</summary>
    public static CaSigner LoadOrGenerate(string dir, DateTimeOffset now, out bool generated)
    {
        var certFile = Path.Combine(dir, CertFileName);
        var keyFile = Path.Combine(dir, KeyFileName);
        var (hasCert, hasKey) = (File.Exists(certFile), File.Exists(keyFile));
        generated = !hasCert && !hasKey;
        if (hasCert != hasKey)
        {
            // Never replace half of an existing CA: that would silently fork the mesh's trust.
            throw new CertificateAuthorityException(
                $"{dir} holds {(hasCert ? CertFileName : KeyFileName)} but not {(hasCert ? KeyFileName : CertFileName)}; restore it or remove both to generate a new CA");
        }

        if (generated)
        {
            Generate(dir, now);
        }

        return Load(certFile, keyFile);
    }

    private static void Generate(string dir, DateTimeOffset now)
    {
        Directory.CreateDirectory(dir, OwnerOnly | UnixFileMode.UserExecute);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=Weft Root CA, O=Weft"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var root = request.CreateSelfSigned(now - EmbeddedCertificateAuthority.Backdate, now + GeneratedRootLifetime);

        // The key first: a crash before the certificate is written is reported at the next start, never papered over.
        WriteNew(Path.Combine(dir, KeyFileName), key.ExportPkcs8PrivateKeyPem(), OwnerOnly);
        WriteNew(Path.Combine(dir, CertFileName), root.ExportCertificatePem(), OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    // Created with its final mode (never briefly world-readable), then renamed into place.
    private static void WriteNew(string path, string content, UnixFileMode mode)
    {
        var tmp = path + ".tmp";
        File.Delete(tmp);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly };
        using (var stream = new FileStream(tmp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(tmp, mode);
        File.Move(tmp, path, overwrite: false);
    }
}
