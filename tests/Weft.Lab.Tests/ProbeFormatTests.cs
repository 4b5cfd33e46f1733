using Weft.Lab.Probe;

namespace Weft.Lab.Tests;

/// <summary>The probe's wire details that need no root.</summary>
public sealed class ProbeFormatTests
{
    [Fact]
    public void Reply_pattern_is_byte_i_equals_i_times_31_plus_7_mod_251_at_any_offset()
    {
        var expected = Enumerable.Range(0, 1000).Select(i => (byte)(((i * 31) + 7) % 251)).ToArray();
        Assert.Equal(expected, ReplyPattern.At(0, 1000).ToArray());
        Assert.Equal(expected[300..1000], ReplyPattern.At(300, 700).ToArray());
        Assert.True(ReplyPattern.Matches(expected.AsSpan(500, 400), 500 + (251L * 1_000_000)));
        Assert.False(ReplyPattern.Matches(expected.AsSpan(500, 400), 501));
    }

    [Fact]
    public void Result_line_round_trips_in_camel_case()
    {
        var r = new ProbeResult(true, 2, 0, 10, 5, "ab", "10.77.0.2:1234", "10.77.0.3:80", null, 7);
        Assert.StartsWith("{\"ok\":true,\"connections\":2,\"failures\":0,\"sent\":10,", r.ToJson(), StringComparison.Ordinal);
        Assert.Equal(r, ProbeResult.Parse(r.ToJson()));
    }

    [Fact]
    public void Options_parse_and_bad_flags_are_named()
    {
        var send = ProbeOptions.ParseSend(["--to", "[fd00:77::3]:80", "--bytes", "5", "--parallel", "3"]);
        Assert.Equal(80, send.To.Port);
        Assert.Equal(3, send.Parallel);
        var serve = ProbeOptions.ParseServe(["--port", "1", "--port", "2", "--reply-bytes", "9"]);
        Assert.Equal([1, 2], serve.Ports);
        Assert.Contains("--bytes", Assert.Throws<FormatException>(() => ProbeOptions.ParseSend(["--to", "1.2.3.4:5", "--bytes", "x"])).Message, StringComparison.Ordinal);
    }
}
