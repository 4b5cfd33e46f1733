using System.Collections.Concurrent;
using Grpc.Core;
using Weft.Identity.IstioCa.Protocol;

namespace Weft.Identity.Tests;

/// <summary>How the fake CA should misbehave on the next calls.</summary>
internal enum CaMisbehaviour
{
    None,
    WrongSan,
    OtherKey,
    Error,
    Delay,
}

/// <summary>What the fake CA saw in one request.</summary>
internal sealed record SeenRequest(string? Authorization, string? ClusterId, string? Impersonated, long ValiditySeconds, byte[] CsrDer);

/// <summary>
/// An Istio-like CA: authenticates the bearer token, signs the CSR's key for the impersonated identity with its own
/// test root (written here, not with the code under test), and misbehaves on demand.
/// </summary>
internal sealed class FakeIstioCa : IstioCertificateService.IstioCertificateServiceBase, IDisposable
{
    private int _calls;

    public FakeIstioCa() => Root = TestPki.EcRoot("Fake Istio Root");

    public X509Certificate2 Root { get; }

    public volatile string ExpectedToken = "token-1";

    public volatile CaMisbehaviour Misbehaviour;

    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(5);

    public int Calls => Volatile.Read(ref _calls);

    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    public override async Task<IstioCertificateResponse> CreateCertificate(IstioCertificateRequest request, ServerCallContext context)
    {
        Interlocked.Increment(ref _calls);
        var authorization = context.RequestHeaders.GetValue("authorization");
        var impersonated = request.Metadata?.Fields.TryGetValue("ImpersonatedIdentity", out var v) == true ? v.StringValue : null;
        var csrDer = PemEncoding.TryFind(request.Csr, out var fields) ? Convert.FromBase64String(request.Csr[fields.Base64Data]) : [];
        Seen.Enqueue(new SeenRequest(authorization, context.RequestHeaders.GetValue("clusterid"), impersonated, request.ValidityDuration, csrDer));

        if (authorization != "Bearer " + ExpectedToken)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "bad token"));
        }

        switch (Misbehaviour)
        {
            case CaMisbehaviour.Error:
                throw new RpcException(new Status(StatusCode.Internal, "injected failure"));
            case CaMisbehaviour.Delay:
                await Task.Delay(Delay, context.CancellationToken);
                break;
        }

        var csr = CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256);
        var san = Misbehaviour == CaMisbehaviour.WrongSan ? "spiffe://cluster.local/ns/evil/sa/evil" : impersonated!;
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = Misbehaviour == CaMisbehaviour.OtherKey
            ? new CertificateRequest(new X500DistinguishedName(""), otherKey, HashAlgorithmName.SHA256)
            : new CertificateRequest(new X500DistinguishedName(""), csr.PublicKey, HashAlgorithmName.SHA256);
        var sanBuilder = new SubjectAlternativeNameBuilder();
        sanBuilder.AddUri(new Uri(san));
        leafRequest.CertificateExtensions.Add(sanBuilder.Build(true));
        var now = DateTimeOffset.UtcNow;
        using var leaf = leafRequest.Create(Root, now.AddMinutes(-1), now.AddSeconds(request.ValidityDuration), RandomNumberGenerator.GetBytes(16));
        return new IstioCertificateResponse { CertChain = { leaf.ExportCertificatePem(), Root.ExportCertificatePem() } };
    }

    public void Dispose() => Root.Dispose();
}
