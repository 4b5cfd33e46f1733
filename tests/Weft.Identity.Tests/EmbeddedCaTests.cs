using System.Formats.Asn1;
using Microsoft.Extensions.Time.Testing;

namespace Weft.Identity.Tests;

public class EmbeddedCaTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(24);

    public static TheoryData<string> RootKinds => new() { "rsa-pkcs1", "rsa-pkcs8", "ec-sec1", "ec-pkcs8" };

    [Theory]
    [MemberData(nameof(RootKinds))]
    public void Operator_root_signs_a_leaf_with_the_workload_profile(string kind)
    {
        using var dir = new TempDir();
        using var root = kind.StartsWith("rsa", StringComparison.Ordinal) ? TestPki.RsaRoot() : TestPki.EcRoot();
        var keyPem = kind.EndsWith("pkcs8", StringComparison.Ordinal) ? TestPki.Pkcs8KeyPem(root) : TestPki.TraditionalKeyPem(root);
        var (cert, key) = TestPki.WriteCa(dir, root, keyPem);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var ca = EmbeddedCertificateAuthority.Load(cert, key, time);

        using var leafKey = SigningRequest.NewKey();
        var chain = ca.Sign(TestPki.Web, SigningRequest.Create(TestPki.Web, leafKey), Ttl);

        Assert.Empty(chain.Intermediates);
        Assert.Equal(root.Thumbprint, Assert.Single(chain.Roots).Thumbprint);
        AssertWorkloadLeaf(chain.Leaf, root, leafKey, TestPki.Web, time.GetUtcNow());
    }

    internal static void AssertWorkloadLeaf(X509Certificate2 leaf, X509Certificate2 issuer, ECDsa key, SpiffeId id, DateTimeOffset issuedAt)
    {
        Assert.Equal(new byte[] { 0x30, 0x00 }, leaf.SubjectName.RawData);
        Assert.Equal(issuer.SubjectName.RawData, leaf.IssuerName.RawData);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), leaf.PublicKey.ExportSubjectPublicKeyInfo());

        var (uris, critical) = TestPki.UriSans(leaf);
        Assert.Equal([id.ToString()], uris);
        Assert.True(critical);

        var usage = leaf.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, usage.KeyUsages);
        Assert.True(usage.Critical);
        var eku = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], eku);
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);

        var ski = leaf.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single();
        Assert.Equal(new X509SubjectKeyIdentifierExtension(leaf.PublicKey, false).SubjectKeyIdentifier, ski.SubjectKeyIdentifier);
        var aki = leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single();
        var issuerSki = issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single();
        Assert.Equal(Convert.FromHexString(issuerSki.SubjectKeyIdentifier!), aki.KeyIdentifier!.Value.ToArray());

        // Validity: the ttl from now, started a little earlier for clock skew.
        Assert.Equal(issuedAt.AddHours(24).UtcDateTime, leaf.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
        var backdate = issuedAt.UtcDateTime - leaf.NotBefore.ToUniversalTime();
        Assert.InRange(backdate, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10));

        // Random, positive serial of 16 bytes.
        var serial = leaf.SerialNumberBytes.Span;
        Assert.Equal(16, serial.Length);
        Assert.True(serial[0] is > 0 and < 0x80);

        // The signature checks out against the issuer (and nothing else is trusted).
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(issuer);
        chain.ChainPolicy.VerificationTime = issuedAt.UtcDateTime;
        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }

    [Fact]
    public void Two_leaves_get_different_serials()
    {
        using var dir = new TempDir();
        using var ca = EmbeddedCertificateAuthority.LoadOrGenerate(dir.Path);
        using var key = SigningRequest.NewKey();
        var csr = SigningRequest.Create(TestPki.Web, key);
        Assert.NotEqual(ca.Sign(TestPki.Web, csr, Ttl).Leaf.SerialNumber, ca.Sign(TestPki.Web, csr, Ttl).Leaf.SerialNumber);
    }

    [Fact]
    public void Operator_intermediate_travels_with_the_leaf_and_the_root_is_the_anchor()
    {
        using var dir = new TempDir();
        using var root = TestPki.EcRoot();
        using var intermediate = TestPki.Intermediate(root);
        var (cert, key) = TestPki.WriteCa(dir, intermediate, TestPki.Pkcs8KeyPem(intermediate), root);
        using var ca = EmbeddedCertificateAuthority.Load(cert, key);

        using var leafKey = SigningRequest.NewKey();
        var chain = ca.Sign(TestPki.Web, SigningRequest.Create(TestPki.Web, leafKey), Ttl);
        Assert.Equal(intermediate.Thumbprint, Assert.Single(chain.Intermediates).Thumbprint);
        Assert.Equal(root.Thumbprint, Assert.Single(chain.Roots).Thumbprint);
        Assert.Equal(intermediate.SubjectName.RawData, chain.Leaf.IssuerName.RawData);
        Assert.True(PeerVerifier.Verify(chain.Leaf, chain.Intermediates, chain.Roots, "cluster.local").Succeeded);
    }

    [Fact]
    public void Generated_root_is_kept_owner_only_and_reused_on_the_next_start()
    {
        using var dir = new TempDir();
        var state = Path.Combine(dir.Path, "state", "ca");
        string thumbprint;
        using (var first = EmbeddedCertificateAuthority.LoadOrGenerate(state))
        {
            thumbprint = first.Root.Thumbprint;
            var root = first.Root;
            Assert.Same(root, first.Certificate);
            Assert.Equal(256, root.GetECDsaPublicKey()!.KeySize);
            var basic = root.Extensions.OfType<X509BasicConstraintsExtension>().Single();
            Assert.True(basic.CertificateAuthority && basic.Critical);
            Assert.True(root.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
            Assert.InRange((root.NotAfter - root.NotBefore).TotalDays, 3649, 3651);
        }

        var keyFile = Path.Combine(state, "ca.key");
        var certFile = Path.Combine(state, "ca.crt");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(state));
        Assert.Contains("-----BEGIN PRIVATE KEY-----", File.ReadAllText(keyFile), StringComparison.Ordinal);
        Assert.Contains("-----BEGIN CERTIFICATE-----", File.ReadAllText(certFile), StringComparison.Ordinal);
        Assert.Equal(["ca.crt", "ca.key"], Directory.GetFiles(state).Select(Path.GetFileName).Order());

        using var second = EmbeddedCertificateAuthority.LoadOrGenerate(state);
        Assert.Equal(thumbprint, second.Root.Thumbprint);

        // Options pick the same place: stateDir/ca.
        using var fromOptions = EmbeddedCertificateAuthority.FromOptions(new IdentityOptions { StateDir = Path.Combine(dir.Path, "state") });
        Assert.Equal(thumbprint, fromOptions.Root.Thumbprint);
    }

    [Fact]
    public void Half_a_generated_ca_is_an_error_not_a_new_ca()
    {
        using var dir = new TempDir();
        using (EmbeddedCertificateAuthority.LoadOrGenerate(dir.Path))
        {
        }

        File.Delete(dir.File("ca.crt"));
        var e = Assert.Throws<CertificateAuthorityException>(() => EmbeddedCertificateAuthority.LoadOrGenerate(dir.Path));
        Assert.Contains("ca.key but not ca.crt", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("ca.crt")));
    }

    [Fact]
    public void Refuses_a_csr_whose_san_is_not_the_requested_identity()
    {
        using var dir = new TempDir();
        using var ca = EmbeddedCertificateAuthority.LoadOrGenerate(dir.Path);
        using var key = SigningRequest.NewKey();

        var e = Assert.Throws<CertificateAuthorityException>(() => ca.Sign(TestPki.Client, SigningRequest.Create(TestPki.Web, key), Ttl));
        Assert.Contains($"names {TestPki.Web}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"requested for {TestPki.Client}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_csrs_without_san_with_extra_names_or_with_a_bad_signature()
    {
        using var dir = new TempDir();
        using var ca = EmbeddedCertificateAuthority.LoadOrGenerate(dir.Path);
        using var key = SigningRequest.NewKey();

        var bare = new CertificateRequest("CN=web", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        Assert.Contains("no SubjectAlternativeName", Assert.Throws<CertificateAuthorityException>(() => ca.Sign(TestPki.Web, bare, Ttl)).Message, StringComparison.Ordinal);

        var extra = new CertificateRequest("CN=web", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(TestPki.Web.ToString()));
        san.AddDnsName("web.shop.svc");
        extra.CertificateExtensions.Add(san.Build(true));
        Assert.Throws<CertificateAuthorityException>(() => ca.Sign(TestPki.Web, extra.CreateSigningRequest(), Ttl));

        var tampered = SigningRequest.Create(TestPki.Web, key);
        tampered[^3] ^= 0x01;
        Assert.Throws<CertificateAuthorityException>(() => ca.Sign(TestPki.Web, tampered, Ttl));

        using var weak = RSA.Create(1024);
        var weakRequest = new CertificateRequest("", weak, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        weakRequest.CertificateExtensions.Add(BuildUriSan(TestPki.Web));
        Assert.Contains("unacceptable key", Assert.Throws<CertificateAuthorityException>(() => ca.Sign(TestPki.Web, weakRequest.CreateSigningRequest(), Ttl)).Message, StringComparison.Ordinal);
    }

    private static X509Extension BuildUriSan(SpiffeId id)
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(id.ToString()));
        return san.Build(true);
    }

    [Fact]
    public void Leaves_never_outlive_the_ca()
    {
        using var dir = new TempDir();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var ca = EmbeddedCertificateAuthority.LoadOrGenerate(dir.Path, time);
        time.Advance(TimeSpan.FromDays(3650) - TimeSpan.FromHours(1));
        using var key = SigningRequest.NewKey();
        var leaf = ca.Sign(TestPki.Web, SigningRequest.Create(TestPki.Web, key), Ttl).Leaf;
        Assert.Equal(ca.Root.NotAfter, leaf.NotAfter);

        time.Advance(TimeSpan.FromHours(2));
        Assert.Contains("expired", Assert.Throws<CertificateAuthorityException>(() => ca.Sign(TestPki.Web, SigningRequest.Create(TestPki.Web, key), Ttl)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_operator_files_are_reported_clearly()
    {
        using var dir = new TempDir();
        using var root = TestPki.EcRoot();
        using var other = TestPki.EcRoot("Other");

        var (cert, _) = TestPki.WriteCa(dir, root, "");
        var wrongKey = dir.Write("other.key", TestPki.Pkcs8KeyPem(other));
        Assert.Contains("does not belong", Assert.Throws<CertificateAuthorityException>(() => EmbeddedCertificateAuthority.Load(cert, wrongKey)).Message, StringComparison.Ordinal);

        Assert.Contains("cannot read CA certificate", Assert.Throws<CertificateAuthorityException>(() => EmbeddedCertificateAuthority.Load(dir.File("missing.crt"), wrongKey)).Message, StringComparison.Ordinal);

        using var leaf = TestPki.Leaf(root, TestPki.Web.ToString());
        var leafCert = dir.Write("leaf.crt", leaf.ExportCertificatePem());
        var leafKey = dir.Write("leaf.key", leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        Assert.Contains("not a CA certificate", Assert.Throws<CertificateAuthorityException>(() => EmbeddedCertificateAuthority.Load(leafCert, leafKey)).Message, StringComparison.Ordinal);

        var encrypted = dir.Write("enc.key", root.GetECDsaPrivateKey()!.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000)));
        Assert.Contains("unencrypted", Assert.Throws<CertificateAuthorityException>(() => EmbeddedCertificateAuthority.Load(cert, encrypted)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_choose_the_source_and_reject_contradictions()
    {
        using var dir = new TempDir();
        using (var embedded = (IDisposable)CertificateAuthorityFactory.Create(new IdentityOptions { StateDir = dir.Path }))
        {
            Assert.IsType<EmbeddedCertificateAuthority>(embedded);
        }

        Assert.True(File.Exists(Path.Combine(dir.Path, "ca", "ca.key")));
        var istio = new IstioCaOptions { Address = new Uri("https://istiod.istio-system.svc:15012") };
        using (var client = (IDisposable)CertificateAuthorityFactory.Create(new IdentityOptions { IstioCa = istio }))
        {
            Assert.IsType<IstioCertificateAuthorityClient>(client);
        }

        Assert.Throws<ArgumentException>(() => new IdentityOptions { IstioCa = istio, Ca = new CaFilesOptions("a", "b") }.Validate());
        Assert.Throws<ArgumentException>(() => new IdentityOptions { Ca = new CaFilesOptions("a", "") }.Validate());
        Assert.Throws<ArgumentException>(() => new IdentityOptions { CertificateTtl = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentException>(() => new IdentityOptions { IstioCa = istio with { Address = new Uri("http://istiod:15010") } }.Validate());
        new IdentityOptions { IstioCa = istio with { Address = new Uri("http://127.0.0.1:1"), AllowPlaintext = true } }.Validate();
        Assert.Equal(TimeSpan.FromHours(24), new IdentityOptions().CertificateTtl);
        Assert.Equal("/var/lib/weft/ca", new IdentityOptions().GeneratedCaDir);
    }

    [Fact]
    public void Leaf_der_has_no_subject_attributes()
    {
        using var dir = new TempDir();
        using var ca = EmbeddedCertificateAuthority.LoadOrGenerate(dir.Path);
        using var key = SigningRequest.NewKey();
        var leaf = ca.Sign(TestPki.Web, SigningRequest.Create(TestPki.Web, key), Ttl).Leaf;

        // Certificate -> TBSCertificate -> [0] version, serial, signature, issuer, validity, subject.
        var tbs = new AsnReader(leaf.RawData, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        tbs.ReadEncodedValue();
        tbs.ReadInteger();
        tbs.ReadSequence();
        tbs.ReadSequence();
        tbs.ReadSequence();
        Assert.Equal(new byte[] { 0x30, 0x00 }, tbs.ReadEncodedValue().ToArray());
    }
}
