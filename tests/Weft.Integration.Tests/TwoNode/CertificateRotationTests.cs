using System.Globalization;
using System.Net;
using Weft.Tests.Shared;

namespace Weft.Integration.Tests.TwoNode;

/// <summary>Certificates that live a minute are renewed at half-life, under live tunnels, across two nodes.</summary>
public sealed class CertificateRotationTests(ShortLivedCertificatesFixture fixture) : IClassFixture<ShortLivedCertificatesFixture>
{
    private static readonly TimeSpan RotationWait = TimeSpan.FromSeconds(70);

    [RootFact]
    public async Task Certificates_rotate_at_half_life_without_breaking_a_live_tunnel()
    {
        var mesh = fixture.Mesh;
        var web = TwoNodeMesh.Principal("shop", "web");
        var client = TwoNodeMesh.Principal("shop", "client");
        var firstWeb = NotAfter(await mesh.AgentB.WaitForAsync(6002, e => e["Identity"] == web, TwoNodeMesh.Wait));
        var firstClient = NotAfter(await mesh.AgentA.WaitForAsync(6002, e => e["Identity"] == client, TwoNodeMesh.Wait));

        // About 40 s of traffic on one tunnelled connection, 64 KB every 250 ms: it spans both renewals.
        var to = new IPEndPoint(mesh.WebB.Address, TwoNodeMesh.AppPort);
        var sending = mesh.ClientA.SendAsync(to, 160L * 64256, TwoNodeMesh.ReplyBytes, timeout: TimeSpan.FromSeconds(90), pace: TimeSpan.FromMilliseconds(250));

        await mesh.AgentB.WaitForAsync(6002, e => e["Identity"] == web && NotAfter(e) > firstWeb, RotationWait);
        await mesh.AgentA.WaitForAsync(6002, e => e["Identity"] == client && NotAfter(e) > firstClient, RotationWait);

        var result = await sending;
        Assert.True(result.Ok, $"the live connection broke across the rotation: {result.Error}");

        // New handshakes get a renewed certificate: an independent client sees a later expiry than the first one's.
        var seen = TlsProbeResult.Run(mesh.LegacyB, mesh.WebB, mesh.CaCert);
        Assert.True(seen.ServerNotAfterEpoch > firstWeb.ToUnixTimeSeconds(), $"the server still presents the first certificate (expiry {seen.ServerNotAfterEpoch})");
        await mesh.SendAsync(mesh.ClientA, to, "web-b");
    }

    private static DateTimeOffset NotAfter(Weft.Lab.Mesh.AgentLogEntry e) =>
        DateTimeOffset.Parse(e["NotAfter"], CultureInfo.InvariantCulture);
}
