namespace Weft.Identity;

/// <summary>How to reach an Istio-compatible CA (istiod's <c>IstioCertificateService</c>).</summary>
public sealed record IstioCaOptions
{
    public required Uri Address { get; init; }

    /// <summary>PEM root(s) the CA's TLS certificate must chain to; null trusts the system roots.</summary>
    public string? RootCert { get; init; }

    /// <summary>File holding the bearer token; read again at every request since it is rotated underneath us.</summary>
    public string? TokenFile { get; init; }

    /// <summary>Sent as the <c>clusterid</c> header when set.</summary>
    public string? ClusterId { get; init; }

    /// <summary>How long one request may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Permit an <c>http://</c> address. For tests only: the token would travel in the clear.</summary>
    public bool AllowPlaintext { get; init; }

    public void Validate()
    {
        if (!Address.IsAbsoluteUri || (Address.Scheme != Uri.UriSchemeHttps && Address.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"identity.istioCa.address must be an https:// URL, got '{Address}'");
        }

        if (Address.Scheme == Uri.UriSchemeHttp && !AllowPlaintext)
        {
            throw new ArgumentException($"identity.istioCa.address '{Address}' is plaintext; the CA must be reached over TLS");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("identity.istioCa request timeout must be positive");
        }
    }
}
