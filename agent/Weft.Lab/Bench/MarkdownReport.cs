using System.Globalization;
using System.Text;

namespace Weft.Lab.Bench;

/// <summary>latest.md: medians per case, each with its ratio to direct and to stunnel, then issue 6's targets.</summary>
internal static class MarkdownReport
{
    public static void Write(string path, BenchReport r)
    {
        var m = new StringBuilder();
        var o = r.Options;
        m.Append(CultureInfo.InvariantCulture, $"# Weft benchmark{(o.Smoke ? " (smoke run: sizes too small to mean anything)" : "")}\n\n");
        m.Append(CultureInfo.InvariantCulture, $"Run {r.Started:yyyy-MM-dd HH:mm} UTC, {r.Duration.TotalMinutes:0.0} min. Machine: {r.Machine.Cpu}, {r.Machine.Cores} cores, Linux {r.Machine.Kernel}, {r.Machine.Dotnet}; {r.Machine.Iperf3}, {r.Machine.Sockperf}, {r.Machine.Stunnel}.\n\n");
        m.Append(CultureInfo.InvariantCulture, $"Medians of {o.Reps} repetition(s), cases interleaved (each repetition runs every case once in turn). iperf3 {o.IperfSeconds} s per run; sockperf ping-pong {o.SockperfSeconds} s, {Sockperf.MessageBytes}-byte messages, round-trip time; {o.Connections} short connections ({o.RateConcurrency} at a time); {o.IdleConnections} idle connections. Everything (clients, servers, agents, stunnel) shares the same {r.Machine.Cores} cores. See bench/README.md for how each figure is measured.\n\n");
        m.Append("Cells: median (ratio to direct / ratio to stunnel). CPU and memory count the processes on the path: the agent(s) for Weft, both stunnel processes for stunnel, none for direct.\n\n");
        m.Append("| figure | ").Append(string.Join(" | ", r.Cases.Select(c => r.Titles[c]))).Append(" |\n|---|").Append(string.Concat(r.Cases.Select(_ => "---|"))).Append('\n');
        foreach (var f in Figures.All)
        {
            if (r.Cases.All(c => r.Samples.Median(c, f.Key) is null))
            {
                continue;
            }

            m.Append(CultureInfo.InvariantCulture, $"| {f.Label}{(f.Unit.Length > 0 ? $" ({f.Unit})" : "")} |");
            foreach (var c in r.Cases)
            {
                m.Append(' ').Append(Cell(r.Samples, c, f.Key)).Append(" |");
            }

            m.Append('\n');
        }

        m.Append(CultureInfo.InvariantCulture, $"\nAgent RSS idle, right after start-up with every pod enrolled: bench-a (10 enrolled pods) {r.IdleRssA / 1024.0:0.0} MiB, bench-b (1 pod) {r.IdleRssB / 1024.0:0.0} MiB.\n\n");
        Targets(m, r);
        File.WriteAllText(path, m.ToString());
    }

    private static void Targets(StringBuilder m, BenchReport r)
    {
        var s = r.Samples;
        string Met(bool? ok) => ok is null ? "not measured" : ok.Value ? "met" : "**not met**";
        m.Append("## Issue 6's targets\n\n| target | measured | |\n|---|---|---|\n");
        var t1 = s.Median(BenchCase.CrossNode, Figures.Throughput1.Key) / s.Median(BenchCase.Stunnel, Figures.Throughput1.Key);
        m.Append(CultureInfo.InvariantCulture, $"| 1-stream throughput across nodes ≥ 1.5× stunnel | {F(t1)}× | {Met(t1 >= 1.5)} |\n");
        var direct = s.Median(BenchCase.Direct, Figures.P50.Key);
        foreach (var c in new[] { BenchCase.CrossNode, BenchCase.SameNode })
        {
            var added = s.Median(c, Figures.P50.Key) - direct;
            var stunnelAdded = s.Median(BenchCase.Stunnel, Figures.P50.Key) - direct;
            m.Append(CultureInfo.InvariantCulture, $"| added p50 latency ≤ 0.75× stunnel's ({c}) | {F(added)} µs vs {F(stunnelAdded)} µs: {F(added / stunnelAdded)}× | {Met(added / stunnelAdded <= 0.75)} |\n");
        }

        m.Append(CultureInfo.InvariantCulture, $"| agent RSS idle with 10 enrolled pods ≤ 40 MiB | {r.IdleRssA / 1024.0:0.0} MiB | {Met(r.IdleRssA <= 40 * 1024)} |\n");
        foreach (var (c, role, what) in new[]
        {
            (BenchCase.CrossNode, "_agent_a", "across nodes, client-side agent"),
            (BenchCase.CrossNode, "_agent_b", "across nodes, server-side agent"),
            (BenchCase.SameNode, "_agent_a", "same node, one agent holds both sides"),
        })
        {
            var all = s.Median(c, Figures.FreshKibPerConn3N.Key + role);
            var whole = s.Median(c, Figures.FreshKibPerConn.Key + role);
            m.Append(CultureInfo.InvariantCulture, $"| ≤ 16 KiB per idle proxied connection ({what}, before any traffic) | {F(all)} KiB over {3 * r.Options.IdleConnections} (first {r.Options.IdleConnections}: {F(whole)} KiB) | {Met(all <= 16)} |\n");
        }

        foreach (var c in new[] { BenchCase.SameNode, BenchCase.CrossNode })
        {
            var hs = s.Median(c, Figures.Handshakes.Key);
            m.Append(CultureInfo.InvariantCulture, $"| HBONE connections pooled ({c}): handshakes for {r.Options.Connections} connections | {hs:0} | {Met(hs < r.Options.Connections / 10.0)} |\n");
        }

        // The after-traffic deltas hide in heap headroom (some come out negative): not held against a target.
        m.Append("\nMemory per idle connection is judged on the before-any-traffic measurement, over three times as many connections as the RSS figure holds: the GC heap grows in steps of several MiB, so the figure over the first ones alone (in brackets) swings with where a step falls. The after-traffic figures in the table above are lower bounds. See bench/README.md.\n");
    }

    private static string Cell(Samples s, string c, string key)
    {
        var v = s.Median(c, key);
        if (v is null)
        {
            return "–";
        }

        var vsDirect = s.Median(BenchCase.Direct, key) is { } d && d != 0 ? $"{F(v / d)}×" : "–";
        var vsStunnel = s.Median(BenchCase.Stunnel, key) is { } t && t != 0 ? $"{F(v / t)}×" : "–";
        return $"{F(v)} ({vsDirect} / {vsStunnel})";
    }

    /// <summary>Three significant digits or so: enough for figures whose run-to-run spread is larger.</summary>
    public static string F(double? v) => v switch
    {
        null => "–",
        var x when Math.Abs(x.Value) >= 100 => x.Value.ToString("0", CultureInfo.InvariantCulture),
        var x when Math.Abs(x.Value) >= 10 => x.Value.ToString("0.0", CultureInfo.InvariantCulture),
        var x => x.Value.ToString("0.00", CultureInfo.InvariantCulture),
    };
}
