using Weft.Lab.Bench;

namespace Weft.Lab.Tests;

/// <summary>`weft-lab bench` flags: sizes, subsets, and a clear error for what it does not know.</summary>
public sealed class BenchOptionsTests
{
    [Fact]
    public void Seconds_lengthens_both_timed_tools_and_leaves_the_rest()
    {
        var o = BenchOptions.Parse(["--seconds", "30", "--cases", "weft-cross-node", "--measure", "latency"]);
        Assert.Equal((30, 30), (o.IperfSeconds, o.SockperfSeconds));
        Assert.Equal(BenchOptions.Parse([]).Connections, o.Connections);
        Assert.Equal(["weft-cross-node"], o.Cases);
        Assert.Equal(["latency"], o.Measure);
    }

    [Fact]
    public void Defaults_and_smoke_sizes()
    {
        var full = BenchOptions.Parse([]);
        Assert.Equal((3, 5, 1000), (full.Reps, full.IperfSeconds, full.IdleConnections));
        var smoke = BenchOptions.Parse(["--smoke"]);
        Assert.Equal((1, 1, 100), (smoke.Reps, smoke.IperfSeconds, smoke.IdleConnections));
    }

    [Theory]
    [InlineData("--seconds", "0", "--seconds: '0' is not a positive number")]
    [InlineData("--seconds", "x", "--seconds: 'x' is not a positive number")]
    [InlineData("--cases", "nope", "unknown: nope")]
    [InlineData("--frobnicate", "1", "unknown or incomplete flag --frobnicate")]
    public void Bad_flags_are_named(string flag, string value, string expected)
    {
        var e = Assert.Throws<FormatException>(() => BenchOptions.Parse([flag, value]));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
