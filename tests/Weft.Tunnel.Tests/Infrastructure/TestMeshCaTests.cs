namespace Weft.Tunnel.Tests.Infrastructure;

public sealed class TestMeshCaTests
{
    [Fact]
    public void Issues_spiffe_certificates_now_and_in_the_past()
    {
        using var ca = new TestMeshCa();
        var id = ca.Id("shop", "web");
        var now = ca.Issue(id);
        Assert.Equal(id, now.Identity);
        Assert.True(now.NotAfter > DateTimeOffset.UtcNow);
        Assert.True(Weft.Identity.PeerVerifier.Verify(now.Certificate, [], [ca.Root], ca.TrustDomain).Succeeded);

        var expired = ca.IssueAt(id, DateTimeOffset.UtcNow.AddDays(-2), TimeSpan.FromHours(1));
        Assert.True(expired.NotAfter < DateTimeOffset.UtcNow);
        Assert.False(Weft.Identity.PeerVerifier.Verify(expired.Certificate, [], [ca.Root], ca.TrustDomain).Succeeded);
    }
}
