using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Weft.Identity;

/// <summary>
/// Signs workload certificates in process with a CA the operator brings (PEM files) or one generated in the state
/// directory. It certifies only the identity asked for: the CSR's SAN is checked against it, never trusted.
/// </summary>
public sealed class EmbeddedCertificateAuthority : ICertificateAuthorityClient, IDisposable
{
    /// <summary>Leaves start this long before issuance, so peers whose clocks lag a little accept them.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(2);

    private static readonly OidCollection LeafUsages = [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")];

    private readonly CaSigner _signer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private EmbeddedCertificateAuthority(CaSigner signer, TimeProvider? time, ILogger? logger)
    {
        _signer = signer;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The certificate leaves are signed with (the root itself unless the operator gave an intermediate).</summary>
    public X509Certificate2 Certificate => _signer.Certificate;

    /// <summary>The trust anchor of everything this CA issues.</summary>
    public X509Certificate2 Root => _signer.Root;

    /// <summary>Uses the operator's CA: <paramref name="certFile"/> holds the signing certificate, then its chain up to the root.</summary>
    public static EmbeddedCertificateAuthority Load(string certFile, string keyFile, TimeProvider? time = null, ILogger? logger = null)
    {
        var ca = new EmbeddedCertificateAuthority(CaFiles.Load(certFile, keyFile), time, logger);
        ca.LogLoaded(certFile);
        return ca;
    }

    /// <summary>
    /// Uses the CA kept in <paramref name="dir"/> (<c>ca.crt</c>, <c>ca.key</c>), generating an ECDSA P-256 root
    /// valid 10 years there first if the directory has none.
    /// </summary>
    public static EmbeddedCertificateAuthority LoadOrGenerate(string dir, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dir);
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var ca = new EmbeddedCertificateAuthority(CaFiles.LoadOrGenerate(dir, now, out var generated), time, logger);
        if (generated)
        {
            IdentityLog.GeneratedCa(ca._logger, dir, ca.Root.Subject, ca.Root.NotAfter.ToUniversalTime());
        }
        else
        {
            ca.LogLoaded(Path.Combine(dir, CaFiles.CertFileName));
        }

        return ca;
    }

    /// <summary>The CA <paramref name="options"/> describe: <c>ca</c> files if given, else the one in <c>stateDir/ca</c>.</summary>
    public static EmbeddedCertificateAuthority FromOptions(IdentityOptions options, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Ca is { } files
            ? Load(files.Cert, files.Key, time, logger)
            : LoadOrGenerate(options.GeneratedCaDir, time, logger);
    }

    public Task<IssuedChain> SignAsync(SpiffeId id, byte[] csrDer, TimeSpan ttl, CancellationToken ct)
    {
        if (ct.IsCancellationRequested)
        {
            return Task.FromCanceled<IssuedChain>(ct);
        }

        try
        {
            return Task.FromResult(Sign(id, csrDer, ttl));
        }
        catch (Exception e) when (e is CertificateAuthorityException or ArgumentException or CryptographicException)
        {
            return Task.FromException<IssuedChain>(e);
        }
    }

    /// <summary>Issues a leaf for <paramref name="id"/> to the key in <paramref name="csrDer"/>, valid for <paramref name="ttl"/>.</summary>
    public IssuedChain Sign(SpiffeId id, byte[] csrDer, TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(csrDer);
        if (id.IsEmpty)
        {
            throw new ArgumentException("an empty SPIFFE ID cannot be certified", nameof(id));
        }

        if (ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "ttl must be positive");
        }

        var publicKey = CsrCheck.PublicKeyFor(id, csrDer);
        var now = _time.GetUtcNow();
        var notBefore = now - Backdate;
        var notAfter = now + ttl < _signer.NotAfter ? now + ttl : _signer.NotAfter;
        if (notAfter <= now)
        {
            throw new CertificateAuthorityException($"the embedded CA '{_signer.Certificate.Subject}' expired at {_signer.NotAfter:u}");
        }

        var request = new CertificateRequest(new X500DistinguishedName([0x30, 0x00]), publicKey, _signer.Hash);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(LeafUsages, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, false));
        request.CertificateExtensions.Add(AuthorityKeyId());
        request.CertificateExtensions.Add(SubjectAltNames.UriExtension(id.ToString(), critical: true));

        var leaf = request.Create(_signer.Certificate.SubjectName, _signer.Generator, notBefore, notAfter, NewSerial());
        var serial = leaf.SerialNumber;
        IdentityLog.EmbeddedIssued(_logger, id, serial, notBefore, notAfter);

        return new IssuedChain(leaf, _signer.Intermediates, [_signer.Root]);
    }

    private X509AuthorityKeyIdentifierExtension AuthorityKeyId()
    {
        // An operator's CA may lack an SKI; derive the same key identifier it would have had.
        var ski = _signer.Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()
            ?? new X509SubjectKeyIdentifierExtension(_signer.Certificate.PublicKey, false);
        return X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski);
    }

    // 128 random bits, positive and without a leading zero octet so the DER INTEGER stays 16 bytes (RFC 5280 4.1.2.2).
    private static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        return serial;
    }

    private void LogLoaded(string certFile) =>
        IdentityLog.LoadedCa(_logger, _signer.Certificate.Subject, certFile, _signer.NotAfter.UtcDateTime, _signer.Root.Subject);

    public void Dispose() => _signer.Dispose();
}
