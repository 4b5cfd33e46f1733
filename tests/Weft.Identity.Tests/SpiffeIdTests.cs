namespace Weft.Identity.Tests;

public class SpiffeIdTests
{
    [Theory]
    [InlineData("spiffe://cluster.local/ns/default/sa/default", "cluster.local", "default", "default")]
    [InlineData("spiffe://td_1.example-x/ns/kube-system/sa/coredns.v2", "td_1.example-x", "kube-system", "coredns.v2")]
    [InlineData("spiffe://a/ns/a/sa/0", "a", "a", "0")]
    public void Parses_the_three_parts_and_round_trips(string text, string td, string ns, string sa)
    {
        var id = SpiffeId.Parse(text);
        Assert.Equal((td, ns, sa), (id.TrustDomain, id.Namespace, id.ServiceAccount));
        Assert.Equal(text, id.ToString());
        Assert.Equal(id, SpiffeId.Create(td, ns, sa));
        Assert.True(SpiffeId.TryParse(text, out var again));
        Assert.True(id == again);
        Assert.Equal(id.GetHashCode(), again.GetHashCode());
    }

    [Theory]
    [InlineData("")]
    [InlineData("cluster.local/ns/a/sa/b")]
    [InlineData("SPIFFE://cluster.local/ns/a/sa/b")]
    [InlineData("https://cluster.local/ns/a/sa/b")]
    [InlineData("spiffe:///ns/a/sa/b")]
    [InlineData("spiffe://Cluster.local/ns/a/sa/b")]
    [InlineData("spiffe://cluster.local:443/ns/a/sa/b")]
    [InlineData("spiffe://user@cluster.local/ns/a/sa/b")]
    [InlineData("spiffe://cluster.local")]
    [InlineData("spiffe://cluster.local/")]
    [InlineData("spiffe://cluster.local/ns/a")]
    [InlineData("spiffe://cluster.local/ns/a/sa")]
    [InlineData("spiffe://cluster.local/ns/a/sa/")]
    [InlineData("spiffe://cluster.local/ns/a/sa/b/")]
    [InlineData("spiffe://cluster.local/ns/a/sa/b/extra")]
    [InlineData("spiffe://cluster.local/sa/b/ns/a")]
    [InlineData("spiffe://cluster.local/ns//sa/b")]
    [InlineData("spiffe://cluster.local/ns/A/sa/b")]
    [InlineData("spiffe://cluster.local/ns/-a/sa/b")]
    [InlineData("spiffe://cluster.local/ns/a./sa/b")]
    [InlineData("spiffe://cluster.local/ns/a/sa/b..c")]
    [InlineData("spiffe://cluster.local/ns/a/sa/.b")]
    [InlineData("spiffe://cluster.local/ns/a/sa/b?x=1")]
    [InlineData("spiffe://cluster.local/ns/a/sa/b#frag")]
    [InlineData("spiffe://cluster.local/ns/a/sa/b%20")]
    [InlineData("spiffe://cluster.local/ns/a/sa/b ")]
    [InlineData(" spiffe://cluster.local/ns/a/sa/b")]
    [InlineData("spiffe://cluster.local/ns/a/sa/../sa/b")]
    public void Rejects_anything_malformed(string text)
    {
        Assert.False(SpiffeId.TryParse(text, out var id, out var error));
        Assert.True(id.IsEmpty);
        Assert.NotEmpty(error);
        Assert.Throws<FormatException>(() => SpiffeId.Parse(text));
    }

    [Fact]
    public void Rejects_overlong_names()
    {
        Assert.False(SpiffeId.TryParse($"spiffe://cluster.local/ns/{new string('a', 64)}/sa/b", out _));
        Assert.True(SpiffeId.TryParse($"spiffe://cluster.local/ns/{new string('a', 63)}/sa/b", out _));
        Assert.False(SpiffeId.TryParse($"spiffe://{new string('a', 256)}/ns/a/sa/b", out _));
        Assert.False(SpiffeId.TryParse(null, out _));
    }

    [Fact]
    public void Create_validates_its_parts()
    {
        Assert.Throws<ArgumentException>(() => SpiffeId.Create("cluster.local", "a/b", "c"));
        Assert.Throws<ArgumentException>(() => SpiffeId.Create("cluster.local", "ns", ""));
    }

    [Fact]
    public void Default_is_empty_and_prints_nothing()
    {
        var none = default(SpiffeId);
        Assert.True(none.IsEmpty);
        Assert.Equal("", none.ToString());
        Assert.Equal("", none.TrustDomain);
        Assert.NotEqual(TestPki.Web, none);
    }
}
