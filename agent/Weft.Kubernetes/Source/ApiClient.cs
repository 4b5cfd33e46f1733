using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Kubernetes.Source;

/// <summary>How to reach and authenticate to the API server, however it was configured.</summary>
public sealed record ApiEndpoint
{
    public required Uri Server { get; init; }

    /// <summary>The only roots trusted for the server's certificate; null means the system's roots.</summary>
    public X509Certificate2Collection? TrustedRoots { get; init; }

    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>The name the server's certificate must carry when it is not the server URL's host.</summary>
    public string? TlsServerName { get; init; }

    public X509Certificate2? ClientCertificate { get; init; }

    public ApiCredentials? Credentials { get; init; }

    /// <summary>Whether requests may go through a proxy from the environment (HTTPS_PROXY, NO_PROXY), as client-go's may.</summary>
    public bool UseProxy { get; init; } = true;
}

/// <summary>
/// One HttpClient to the API server with the endpoint's TLS settings, and its credentials. Lists and
/// watches are made by <see cref="Weft.Kubernetes.Watch.ApiRequest"/>.
/// </summary>
public sealed class ApiClient : IDisposable
{
    public ApiClient(ApiEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        BaseUri = endpoint.Server.AbsoluteUri.EndsWith('/') ? endpoint.Server : new Uri(endpoint.Server.AbsoluteUri + "/");
        var handler = new SocketsHttpHandler
        {
            UseProxy = endpoint.UseProxy,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = endpoint.ClientCertificate is { } cert ? [cert] : null,
                RemoteCertificateValidationCallback = Validator(endpoint),
            },
        };
        Http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(100) };
    }

    public ApiEndpoint Endpoint { get; }

    /// <summary>The server URL, ending in a slash so that relative paths append to it.</summary>
    public Uri BaseUri { get; }

    public HttpClient Http { get; }

    public void Dispose() => Http.Dispose();

    /// <summary>
    /// Null (the platform's check of the URL's host against the system's roots) unless the endpoint names its
    /// own roots, another server name, or says not to verify. With its own roots, as client-go does, only those
    /// are trusted. tls-server-name is checked here, against the certificate's names; the TLS server name
    /// indication sent stays the URL's host (SocketsHttpHandler takes it from the request).
    /// </summary>
    private static RemoteCertificateValidationCallback? Validator(ApiEndpoint endpoint)
    {
        if (endpoint.InsecureSkipTlsVerify)
        {
            // The operator's explicit choice in the kubeconfig (insecure-skip-tls-verify), as kubectl honours it.
#pragma warning disable CA5359
            return static (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        var roots = endpoint.TrustedRoots is { Count: > 0 } r ? r : null;
        var serverName = endpoint.TlsServerName;
        if (roots is null && serverName is null)
        {
            return null;
        }

        return (_, certificate, chain, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                return false;
            }

            var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            var nameOk = serverName is null ? (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0 : leaf.MatchesHostname(serverName);
            if (!nameOk)
            {
                return false;
            }

            if (roots is null)
            {
                return (errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0;
            }

            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(roots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                // The intermediates the server sent.
                foreach (var element in chain.ChainElements.Skip(1))
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            return custom.Build(leaf);
        };
    }
}
