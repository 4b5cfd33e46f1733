using Microsoft.Extensions.Logging;

namespace Weft.Identity;

/// <summary>Builds the certificate source the <c>identity:</c> options describe.</summary>
public static class CertificateAuthorityFactory
{
    /// <summary>The Istio CA client when <c>istioCa</c> is set, else the embedded CA. The result is <see cref="IDisposable"/>.</summary>
    public static ICertificateAuthorityClient Create(IdentityOptions options, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.IstioCa is { } istio
            ? new IstioCertificateAuthorityClient(istio, logger)
            : EmbeddedCertificateAuthority.FromOptions(options, time, logger);
    }
}
