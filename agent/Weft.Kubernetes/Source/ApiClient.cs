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
            ConnectCallback = ApiKeepAlive.ConnectAsync,
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = endpoint.ClientCertificate is { } cert ? [cert] : null,
                CertificateChainPolicy = RootPolicy(endpoint),
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
    /// With the endpoint's own roots, as client-go does, only those are trusted: the platform builds the
    /// chain against them (and reports chain errors as usual). Null: the system's roots.
    /// </summary>
    private static X509ChainPolicy? RootPolicy(ApiEndpoint endpoint)
    {
        if (endpoint.TrustedRoots is not { Count: > 0 } roots)
        {
            return null;
        }

        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(roots);
        return policy;
    }

    /// <summary>
    /// Null (the platform's checks: the chain, against <see cref="RootPolicy"/>'s roots when there are
    /// some, and the URL's host) unless the endpoint names another server name or says not to verify.
    /// tls-server-name is checked here, against the certificate's names; the TLS server name indication
    /// sent stays the URL's host (SocketsHttpHandler takes it from the request).
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

        if (endpoint.TlsServerName is not { } serverName)
        {
            return null;
        }

        return (_, certificate, _, errors) =>
            certificate is not null
            && (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateChainErrors)) == 0
            && (certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())).MatchesHostname(serverName);
    }
}
