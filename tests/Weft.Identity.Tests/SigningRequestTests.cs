using System.Formats.Asn1;

namespace Weft.Identity.Tests;

/// <summary>The CSR is read back with a plain ASN.1 reader: what istiod receives, byte for byte.</summary>
public class SigningRequestTests
{
    private const string ExtensionRequestOid = "1.2.840.113549.1.9.14";

    [Fact]
    public void Csr_has_an_empty_subject_a_critical_uri_san_a_p256_key_and_a_valid_sha256_signature()
    {
        using var key = SigningRequest.NewKey();
        var der = SigningRequest.Create(TestPki.Web, key);

        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var request = outer.ReadSequence();
        Assert.False(outer.HasData);
        var infoBytes = request.PeekEncodedValue().ToArray();
        var info = request.ReadSequence();
        var signatureAlgorithm = request.ReadSequence();
        var signature = request.ReadBitString(out var unused);
        Assert.False(request.HasData);
        Assert.Equal(0, unused);

        // certificationRequestInfo: version 0, empty subject, P-256 key, attributes.
        Assert.Equal(0, (int)info.ReadInteger());
        Assert.Equal(new byte[] { 0x30, 0x00 }, info.ReadEncodedValue().ToArray());
        var spkiBytes = info.PeekEncodedValue().ToArray();
        var spki = info.ReadSequence();
        var algorithm = spki.ReadSequence();
        Assert.Equal("1.2.840.10045.2.1", algorithm.ReadObjectIdentifier());
        Assert.Equal("1.2.840.10045.3.1.7", algorithm.ReadObjectIdentifier());
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), spkiBytes);

        var attributes = info.ReadSetOf(new Asn1Tag(TagClass.ContextSpecific, 0));
        Assert.False(info.HasData);
        var attribute = attributes.ReadSequence();
        Assert.False(attributes.HasData);
        Assert.Equal(ExtensionRequestOid, attribute.ReadObjectIdentifier());
        var extensions = attribute.ReadSetOf().ReadSequence();
        var extension = extensions.ReadSequence();
        Assert.False(extensions.HasData);
        Assert.Equal("2.5.29.17", extension.ReadObjectIdentifier());
        Assert.True(extension.ReadBoolean());
        Assert.Equal([TestPki.Web.ToString()], TestPki.ReadUris(extension.ReadOctetString()));

        // ecdsa-with-SHA256, and the signature verifies over the DER of certificationRequestInfo.
        Assert.Equal("1.2.840.10045.4.3.2", signatureAlgorithm.ReadObjectIdentifier());
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(spkiBytes, out _);
        Assert.True(verifier.VerifyData(infoBytes, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        infoBytes[^1] ^= 1;
        Assert.False(verifier.VerifyData(infoBytes, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void Each_key_is_new_and_in_memory()
    {
        using var a = SigningRequest.NewKey();
        using var b = SigningRequest.NewKey();
        Assert.Equal(256, a.KeySize);
        Assert.NotEqual(a.ExportSubjectPublicKeyInfo(), b.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void Pem_form_is_a_certificate_request_block()
    {
        using var key = SigningRequest.NewKey();
        var der = SigningRequest.Create(TestPki.Web, key);
        var pem = SigningRequest.ToPem(der);
        var fields = PemEncoding.Find(pem);
        Assert.Equal("CERTIFICATE REQUEST", pem[fields.Label]);
        Assert.Equal(der, Convert.FromBase64String(pem[fields.Base64Data]));
    }

    [Fact]
    public void Empty_identity_is_refused() =>
        Assert.Throws<ArgumentException>(() => SigningRequest.Create(default, SigningRequest.NewKey()));
}
