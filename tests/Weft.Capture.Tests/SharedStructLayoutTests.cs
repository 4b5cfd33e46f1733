using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Weft.Capture.Maps;
using Weft.Tests.Shared;

namespace Weft.Capture.Tests;

/// <summary>
/// The C# mirror of bpf/weft_shared.h must match what clang actually laid out: read the
/// compiled object's BTF (through bpftool) and compare every struct's size and member offsets,
/// then the header's constants and counter indexes.
/// </summary>
public sealed partial class SharedStructLayoutTests
{
    public static TheoryData<string, Type> Mirrors => new()
    {
        { "weft_orig_dst", typeof(weft_orig_dst) },
        { "weft_port_key", typeof(weft_port_key) },
        { "weft_netns_info", typeof(weft_netns_info) },
        { "weft_listener_key", typeof(weft_listener_key) },
        { "weft_cidr_key", typeof(weft_cidr_key) },
        { "weft_settings", typeof(weft_settings) },
    };

    [Theory]
    [MemberData(nameof(Mirrors))]
    public void Mirror_matches_the_compiled_btf(string cName, Type mirror)
    {
        var btf = BtfStructs();
        Assert.True(btf.TryGetValue(cName, out var s), $"struct {cName} is not in the BTF of {RepoPaths.BpfObject}");
        Assert.Equal(s.Size, SizeOf(mirror));

        foreach (var (name, bitOffset) in s.Members)
        {
            var field = mirror.GetField(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
            if (field is null)
            {
                // padding arrays are spelled as separate private fields in C#; check the first
                field = mirror.GetField(name + "0", BindingFlags.NonPublic | BindingFlags.Instance);
            }

            Assert.True(field is not null, $"{mirror.Name} has no field for {cName}.{name}");
            Assert.Equal(bitOffset / 8, (int)Marshal.OffsetOf(mirror, field!.Name));
        }
    }

    [Fact]
    public void Constants_match_the_header()
    {
        var header = File.ReadAllText(RepoPaths.SharedHeader);
        Assert.Equal(WeftConstants.Mark, Define<uint>(header, "WEFT_MARK"));
        Assert.Equal(WeftConstants.OutboundPort, Define<int>(header, "WEFT_OUTBOUND_PORT"));
        Assert.Equal(WeftConstants.InboundPlainPort, Define<int>(header, "WEFT_INBOUND_PLAIN_PORT"));
        Assert.Equal(WeftConstants.InboundTunnelPort, Define<int>(header, "WEFT_INBOUND_TUNNEL_PORT"));
        Assert.Equal(WeftConstants.MaxPods, Define<int>(header, "WEFT_MAX_PODS"));
        Assert.Equal(WeftConstants.MaxConns, Define<int>(header, "WEFT_MAX_CONNS"));
        Assert.Equal("127.0.0.6", WeftConstants.InboundSourceV4.ToString());
        Assert.Equal(0x7f000006u, Define<uint>(header, "WEFT_INBOUND_SOURCE_V4"));
    }

    [Fact]
    public void Enums_match_the_header()
    {
        var header = File.ReadAllText(RepoPaths.SharedHeader);
        var counters = EnumValues(header, "weft_counter").Where(kv => kv.Key != "WEFT_CTR_MAX").ToList();
        Assert.Equal(counters.Count, Enum.GetValues<WeftCounter>().Length);
        foreach (var (name, value) in counters)
        {
            var csName = string.Concat(name["WEFT_CTR_".Length..].Split('_').Select(w => w[..1] + w[1..].ToLowerInvariant()));
            Assert.Equal(value, (long)Enum.Parse<WeftCounter>(csName));
        }

        var kinds = EnumValues(header, "weft_listener_kind");
        Assert.Equal((long)ListenerKind.Plain, kinds["WEFT_LISTENER_PLAIN"]);
        Assert.Equal((long)ListenerKind.Tunnel, kinds["WEFT_LISTENER_TUNNEL"]);
    }

    private static int SizeOf(Type t) => (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;

    private static T Define<T>(string header, string name)
        where T : IParsable<T>
    {
        var m = Regex.Match(header, @"#define\s+" + name + @"\s+(0x[0-9a-fA-F]+|\d+)");
        Assert.True(m.Success, $"#define {name} not found in weft_shared.h");
        var text = m.Groups[1].Value;
        var value = text.StartsWith("0x", StringComparison.Ordinal) ? Convert.ToInt64(text[2..], 16) : long.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        return T.Parse(value.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Dictionary<string, long> EnumValues(string header, string name)
    {
        var body = Regex.Match(header, @"enum\s+" + name + @"\s*\{(?<b>[^}]*)\}");
        Assert.True(body.Success, $"enum {name} not found");
        return EnumMember().Matches(body.Groups["b"].Value).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Dictionary<string, (int Size, List<(string Name, int BitOffset)> Members)> BtfStructs()
    {
        var psi = new ProcessStartInfo("bpftool") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-j", "btf", "dump", "file", RepoPaths.BpfObject })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var json = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "bpftool btf dump failed: " + p.StandardError.ReadToEnd());
        using var doc = JsonDocument.Parse(json);
        var result = new Dictionary<string, (int, List<(string, int)>)>();
        foreach (var t in doc.RootElement.GetProperty("types").EnumerateArray())
        {
            if (t.GetProperty("kind").GetString() == "STRUCT" && t.GetProperty("name").GetString() is { } n && n.StartsWith("weft_", StringComparison.Ordinal))
            {
                var members = t.GetProperty("members").EnumerateArray()
                    .Select(m => (m.GetProperty("name").GetString()!, m.GetProperty("bits_offset").GetInt32())).ToList();
                result[n] = (t.GetProperty("size").GetInt32(), members);
            }
        }

        return result;
    }

    [GeneratedRegex(@"(WEFT_[A-Z_]+)\s*=\s*(\d+)")]
    private static partial Regex EnumMember();
}
