using Weft.Tunnel.Hbone;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>
/// SslStream builds the server's chain before our verifier runs: that build must stay offline and on the mesh roots,
/// or a server certificate could make the agent fetch whatever its AIA extension names.
/// </summary>
public sealed class HboneClientChainPolicyTests : IDisposable
{
    private readonly PoolTestKit kit = new();

    public void Dispose() => kit.Dispose();

    [Fact]
    public async Task A_server_certificate_s_AIA_issuer_url_is_never_fetched_and_the_verifier_decides()
    {
        // Serves the very intermediate the server leaves out: a fetch would complete the chain.
        await using var issuer = new LoopbackIssuerServer();
        var (certificate, intermediate) = kit.Ca.IssueUnderUnsentIntermediate(kit.ServerId, issuer.Url);
        issuer.Certificate = intermediate.RawData;
        await using var server = PoolTestServer.Start(kit.Ca, certificate);
        await using var pool = kit.Pool();

        var outcome = await Record.ExceptionAsync(() => pool.OpenAsync(kit.Destination(server.EndPoint), CancellationToken.None));

        Assert.Equal(0, issuer.Requests);
        var e = Assert.IsType<HboneException>(outcome);
        // Without the intermediate the server did not send, its certificate does not reach the trust bundle.
        Assert.Equal(HboneFailure.PeerCertificateRejected, e.Failure);
        Assert.Contains("does not chain to the trust bundle", e.Message, StringComparison.Ordinal);
    }
}
