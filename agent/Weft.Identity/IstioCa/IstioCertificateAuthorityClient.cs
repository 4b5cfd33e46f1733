using System.Security.Cryptography.X509Certificates;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Weft.Identity.IstioCa.Protocol;

namespace Weft.Identity;

/// <summary>
/// Asks an Istio-compatible CA (istiod's <c>istio.v1.auth.IstioCertificateService/CreateCertificate</c>) for
/// certificates on behalf of the node's workloads, authenticated with the node agent's bearer token.
/// </summary>
public sealed class IstioCertificateAuthorityClient : ICertificateAuthorityClient, IDisposable
{
    /// <summary>Key in the request's metadata Struct naming the workload the agent asks for.</summary>
    public const string ImpersonatedIdentityKey = "ImpersonatedIdentity";

    public const string ClusterIdHeader = "clusterid";

    private readonly IstioCaOptions _options;
    private readonly GrpcChannel _channel;
    private readonly IstioCertificateService.IstioCertificateServiceClient _client;
    private readonly ILogger _logger;

    public IstioCertificateAuthorityClient(IstioCaOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        var handler = new SocketsHttpHandler
        {
            // One long-lived HTTP/2 connection; pings notice a CA that went away behind a NAT or load balancer.
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            ConnectTimeout = options.RequestTimeout,
        };
        if (options.RootCert is { } rootFile)
        {
            handler.SslOptions.CertificateChainPolicy = RootPolicy(rootFile);
        }

        _channel = GrpcChannel.ForAddress(options.Address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        _client = new IstioCertificateService.IstioCertificateServiceClient(_channel);
    }

    public Uri Address => _options.Address;

    public async Task<IssuedChain> SignAsync(SpiffeId id, byte[] csrDer, TimeSpan ttl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(csrDer);
        IdentityLog.IstioRequest(_logger, _options.Address, id, ttl);
        var request = new IstioCertificateRequest
        {
            Csr = SigningRequest.ToPem(csrDer),
            ValidityDuration = (long)Math.Ceiling(ttl.TotalSeconds),
            Metadata = new Struct { Fields = { [ImpersonatedIdentityKey] = Value.ForString(id.ToString()) } },
        };
        var headers = await HeadersAsync(ct).ConfigureAwait(false);
        IstioCertificateResponse response;
        try
        {
            response = await _client.CreateCertificateAsync(
                request, new CallOptions(headers, DateTime.UtcNow + _options.RequestTimeout, ct)).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        catch (RpcException e)
        {
            var detail = e.Status.DebugException is { } inner && !e.Status.Detail.Contains(inner.Message, StringComparison.Ordinal)
                ? $"{e.Status.Detail} ({inner.Message})"
                : e.Status.Detail;
            throw new CertificateAuthorityException(
                $"Istio CA {_options.Address} did not issue a certificate for {id}: {e.StatusCode}: {detail}", e);
        }

        IssuedChain chain;
        try
        {
            chain = IssuedChain.FromPem(response.CertChain);
        }
        catch (CryptographicException e)
        {
            throw new CertificateAuthorityException($"Istio CA {_options.Address} returned an unreadable chain for {id}: {e.Message}", e);
        }

        IssuedLeafCheck.Check(id, chain.Leaf, IssuedLeafCheck.CsrSubjectPublicKeyInfo(csrDer));
        return chain;
    }

    // The token file is read at every call: it is projected by the kubelet and replaced before it expires.
    private async Task<Metadata> HeadersAsync(CancellationToken ct)
    {
        var headers = new Metadata();
        if (_options.TokenFile is { } tokenFile)
        {
            string token;
            try
            {
                token = (await File.ReadAllTextAsync(tokenFile, ct).ConfigureAwait(false)).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CertificateAuthorityException($"cannot read the CA token file {tokenFile}: {e.Message}", e);
            }

            if (token.Length == 0)
            {
                throw new CertificateAuthorityException($"the CA token file {tokenFile} is empty");
            }

            headers.Add("authorization", "Bearer " + token);
        }

        if (!string.IsNullOrEmpty(_options.ClusterId))
        {
            headers.Add(ClusterIdHeader, _options.ClusterId);
        }

        return headers;
    }

    // Only the configured root(s) vouch for the CA's TLS certificate; host name checks stay on.
    private static X509ChainPolicy RootPolicy(string rootFile)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(rootFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new CertificateAuthorityException($"cannot read the Istio CA root certificate {rootFile}: {e.Message}", e);
        }

        if (roots.Count == 0)
        {
            throw new CertificateAuthorityException($"{rootFile} holds no PEM certificate");
        }

        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(roots);
        return policy;
    }

    public void Dispose() => _channel.Dispose();
}
