using Weft.Tests.Shared;

namespace Weft.Integration.Tests.TwoNode;

/// <summary>
/// A pod's tunnel listener (15008) against an independent TLS client (Python's ssl) run from a pod
/// outside the mesh: only a certificate of the mesh's root and trust domain, valid now, gets an
/// HTTP/2 connection; the server always proves the destination's identity.
/// </summary>
[Collection(SharedTwoNodeMesh.Name)]
public sealed class TunnelListenerTests(TwoNodeFixture fixture) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("weft-attack-").FullName;

    private TwoNodeMesh Mesh => fixture.Mesh;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [RootFact]
    public void A_client_certificate_of_the_mesh_gets_http2_and_the_server_proves_the_destination_identity()
    {
        var good = Leaf("good", TwoNodeMesh.Principal("shop", "client"), mesh: true, valid: true);
        var r = TlsProbeResult.Run(Mesh.LegacyB, Mesh.WebB, Mesh.CaCert, good);
        Assert.True(r.Accepted, r.Error);
        Assert.Equal("h2", r.Alpn);
        Assert.Equal([TwoNodeMesh.Principal("shop", "web")], r.ServerUris);
    }

    [RootFact]
    public void No_client_certificate_is_refused() =>
        AssertRefused(TlsProbeResult.Run(Mesh.LegacyB, Mesh.WebB, Mesh.CaCert));

    [RootFact]
    public void A_certificate_from_another_root_is_refused() =>
        AssertRefused(TlsProbeResult.Run(Mesh.LegacyB, Mesh.WebB, Mesh.CaCert, Leaf("foreign", TwoNodeMesh.Principal("shop", "client"), mesh: false, valid: true)));

    [RootFact]
    public void A_certificate_of_another_trust_domain_is_refused() =>
        AssertRefused(TlsProbeResult.Run(Mesh.LegacyB, Mesh.WebB, Mesh.CaCert, Leaf("other-td", "spiffe://evil.example/ns/shop/sa/client", mesh: true, valid: true)));

    [RootFact]
    public void An_expired_certificate_is_refused() =>
        AssertRefused(TlsProbeResult.Run(Mesh.LegacyB, Mesh.WebB, Mesh.CaCert, Leaf("expired", TwoNodeMesh.Principal("shop", "client"), mesh: true, valid: false)));

    private static void AssertRefused(TlsProbeResult r)
    {
        Assert.False(r.Accepted, "the tunnel listener spoke HTTP/2 to a client it must refuse");
        Assert.NotNull(r.Error);
    }

    private (string, string) Leaf(string name, string spiffeId, bool mesh, bool valid) =>
        AttackCertificates.Leaf(dir, name, spiffeId, mesh ? (Mesh.CaCert, Mesh.CaKey) : null, expired: !valid);
}
