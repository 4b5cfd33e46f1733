using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Weft.Lab;
using Weft.Tests.Shared;

namespace Weft.Integration.Tests.TwoNode;

/// <summary>What tls_probe.py (Python's ssl, an independent TLS client) saw at a pod's tunnel listener.</summary>
public sealed record TlsProbeResult(bool Handshake, bool Accepted, string? Alpn, IReadOnlyList<string> ServerUris, long ServerNotAfterEpoch, string? Error)
{
    /// <summary>Runs the probe inside <paramref name="from"/>'s network namespace against <paramref name="to"/>:15008.</summary>
    public static TlsProbeResult Run(LabPod from, LabPod to, string caFile, (string Cert, string Key)? client = null)
    {
        List<string> args = [$"--net={from.NetnsPath}", "python3", Path.Combine(AppContext.BaseDirectory, "TwoNode", "tls_probe.py"),
            "--host", to.Address.ToString(), "--ca", caFile];
        if (client is { } c)
        {
            args.AddRange(["--cert", c.Cert, "--key", c.Key]);
        }

        var json = HostTools.Run("nsenter", [.. args]);
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        return new TlsProbeResult(
            r.GetProperty("handshake").GetBoolean(),
            r.GetProperty("accepted").GetBoolean(),
            r.TryGetProperty("alpn", out var alpn) ? alpn.GetString() : null,
            r.TryGetProperty("server_uris", out var uris) ? [.. uris.EnumerateArray().Select(u => u.GetString()!)] : [],
            r.TryGetProperty("server_not_after_epoch", out var na) ? na.GetInt64() : 0,
            r.TryGetProperty("error", out var e) ? e.GetString() : null);
    }
}

/// <summary>Client certificates for attacking the tunnel listener, written as PEM files into a directory.</summary>
public static class AttackCertificates
{
    /// <summary>
    /// A P-256 leaf with <paramref name="spiffeId"/> as URI SAN, signed by the PEM CA given (or self-made): valid
    /// for the next hour, or, when <paramref name="expired"/>, for the first second of the issuer's life (already over).
    /// </summary>
    public static (string Cert, string Key) Leaf(string dir, string name, string spiffeId, (string Cert, string Key)? issuerFiles, bool expired)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(""), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(spiffeId));
        request.CertificateExtensions.Add(san.Build(critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var issuer = issuerFiles is { } f ? X509Certificate2.CreateFromPemFile(f.Cert, f.Key) : SelfMadeRoot();

        // A leaf cannot start before its issuer, and the lab's root was made moments ago.
        var issuerStart = new DateTimeOffset(issuer.NotBefore.ToUniversalTime());
        var now = DateTimeOffset.UtcNow;
        var (notBefore, notAfter) = expired
            ? (issuerStart, issuerStart.AddSeconds(1))
            : (issuerStart > now.AddMinutes(-5) ? issuerStart : now.AddMinutes(-5), now.AddHours(1));
        using var leaf = request.Create(issuer, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        while (expired && DateTimeOffset.UtcNow <= notAfter.AddSeconds(1))
        {
            Thread.Sleep(100);
        }

        var certPath = Path.Combine(dir, name + ".crt");
        var keyPath = Path.Combine(dir, name + ".key");
        File.WriteAllText(certPath, leaf.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath);
    }

    private static X509Certificate2 SelfMadeRoot()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=attacker root", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
