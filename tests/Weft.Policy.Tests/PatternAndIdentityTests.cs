namespace Weft.Policy.Tests;

public sealed class PatternAndIdentityTests
{
    [Theory]
    [InlineData("cluster.local/ns/shop/sa/web", StringMatchKind.Exact, "cluster.local/ns/shop/sa/web")]
    [InlineData("cluster.local/ns/shop/*", StringMatchKind.Prefix, "cluster.local/ns/shop/")]
    [InlineData("*/sa/web", StringMatchKind.Suffix, "/sa/web")]
    [InlineData("*", StringMatchKind.Presence, "")]
    public void Patterns_parse_and_print_back(string pattern, StringMatchKind kind, string value)
    {
        var match = StringMatch.Parse(pattern);

        Assert.Equal(new StringMatch(kind, value), match);
        Assert.Equal(pattern, match.ToString());
    }

    [Theory]
    [InlineData("shop", "shop", true)]
    [InlineData("shop", "Shop", false)]
    [InlineData("shop", "shopping", false)]
    [InlineData("shop*", "shopping", true)]
    [InlineData("shop*", "shop", true)]
    [InlineData("*ing", "shopping", true)]
    [InlineData("*", "x", true)]
    [InlineData("*", "", false)]
    [InlineData("shop*", "", false)]
    public void Patterns_match(string pattern, string value, bool matches)
    {
        Assert.Equal(matches, StringMatch.Parse(pattern).Matches(value));
    }

    [Fact]
    public void Identity_parses_a_kubernetes_spiffe_id()
    {
        Assert.True(PeerIdentity.TryParse("spiffe://cluster.local/ns/shop/sa/client", out var id));

        Assert.Equal(("cluster.local", "shop", "client"), (id.TrustDomain, id.Namespace, id.ServiceAccount));
        Assert.Equal("cluster.local/ns/shop/sa/client", id.Principal);
        Assert.Equal("spiffe://cluster.local/ns/shop/sa/client", id.ToString());
        Assert.Equal(new PeerIdentity("cluster.local", "shop", "client"), id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("cluster.local/ns/shop/sa/client")]
    [InlineData("SPIFFE://cluster.local/ns/shop/sa/client")]
    [InlineData("spiffe://cluster.local/ns/shop/sa/")]
    [InlineData("spiffe://cluster.local/ns/shop/sa/client/x")]
    [InlineData("spiffe://cluster.local/namespace/shop/sa/client")]
    [InlineData("spiffe://cluster.local/ns/shop/sa/client?x=1")]
    [InlineData("spiffe:///ns/shop/sa/client")]
    public void Identity_rejects_other_forms(string? text)
    {
        Assert.False(PeerIdentity.TryParse(text, out _));
    }

    [Fact]
    public void Identity_parts_may_not_contain_slashes()
    {
        Assert.Throws<ArgumentException>(() => new PeerIdentity("cluster.local", "shop/x", "client"));
    }
}
