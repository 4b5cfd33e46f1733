using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Identity;

/// <summary>
/// Reads and writes the URI entries of a SubjectAlternativeName extension as ASN.1, never through
/// the platform's display string of the extension (whose format differs between OpenSSL versions).
/// </summary>
internal static class SubjectAltNames
{
    public const string Oid = "2.5.29.17";

    // GeneralName ::= CHOICE { ... uniformResourceIdentifier [6] IA5String ... }
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    /// <summary>A SAN extension holding exactly this URI (critical when the subject is empty, RFC 5280 4.2.1.6).</summary>
    public static X509Extension UriExtension(string uri, bool critical)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, UriTag);
        }

        return new X509Extension(Oid, writer.Encode(), critical);
    }

    /// <summary>The URI names in the certificate's SAN extension; null when it has no SAN extension.</summary>
    public static IReadOnlyList<string>? Uris(X509Certificate2 certificate)
    {
        foreach (var ext in certificate.Extensions)
        {
            if (ext.Oid?.Value == Oid)
            {
                return Uris(ext.RawData, out _);
            }
        }

        return null;
    }

    /// <summary>URI entries of a DER GeneralNames value; other name kinds are counted in <paramref name="others"/>.</summary>
    public static IReadOnlyList<string> Uris(ReadOnlyMemory<byte> extensionValue, out int others)
    {
        others = 0;
        var uris = new List<string>();
        try
        {
            var outer = new AsnReader(extensionValue, AsnEncodingRules.DER);
            var names = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            while (names.HasData)
            {
                if (names.PeekTag() == UriTag)
                {
                    uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
                }
                else
                {
                    names.ReadEncodedValue();
                    others++;
                }
            }
        }
        catch (AsnContentException e)
        {
            throw new CryptographicException("malformed SubjectAlternativeName extension", e);
        }

        return uris;
    }
}
