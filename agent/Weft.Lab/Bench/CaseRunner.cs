using System.Globalization;
using Weft.Lab.Infra;
using Weft.Lab.Probe;

namespace Weft.Lab.Bench;

/// <summary>Runs every measurement of one case once (one repetition) and adds the samples.</summary>
internal sealed class CaseRunner(BenchOptions options, BenchLab lab, Samples samples, Action<string> say)
{
    public const string Fresh = "fresh_";

    private static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(30);

    public async Task RunAsync(BenchCase c)
    {
        if (options.Measure.Contains("throughput"))
        {
            await ThroughputAsync(c, 1, Figures.Throughput1, Figures.CpuPerGb1).ConfigureAwait(false);
            await ThroughputAsync(c, 8, Figures.Throughput8, Figures.CpuPerGb8).ConfigureAwait(false);
        }

        if (options.Measure.Contains("latency"))
        {
            await LatencyAsync(c).ConfigureAwait(false);
        }

        if (options.Measure.Contains("rate"))
        {
            await ConnectionRateAsync(c).ConfigureAwait(false);
        }

        if (options.Measure.Contains("idle"))
        {
            await IdleConnectionsAsync(c).ConfigureAwait(false);
        }
    }

    private async Task ThroughputAsync(BenchCase c, int streams, Figures.Figure tput, Figures.Figure cpuPerGb)
    {
        var target = c.Target(Iperf.Port);
        var cpu0 = ProcessUsage.CpuSeconds(c.Overhead());
        var r = await Iperf.RunAsync(c.Client, target.Address.ToString(), target.Port, streams, options.IperfSeconds).ConfigureAwait(false);
        var cpu = ProcessUsage.CpuSeconds(c.Overhead()) - cpu0;
        samples.Add(c.Name, tput.Key, r.BitsPerSecond / 1e9);
        if (c.Overhead().Count > 0)
        {
            // Direct has no process on the path: its cost is the kernel's and the applications', not counted here.
            samples.Add(c.Name, cpuPerGb.Key, cpu / (r.Bytes / 1e9));
        }
        say($"    {streams} stream(s): {r.BitsPerSecond / 1e9:0.00} Gbit/s, {r.Bytes / 1e9:0.00} GB, overhead CPU {cpu:0.00} s");
    }

    private async Task LatencyAsync(BenchCase c)
    {
        var target = c.Target(Sockperf.Port);
        var r = await Sockperf.RunAsync(c.Client, target.Address.ToString(), target.Port, options.SockperfSeconds).ConfigureAwait(false);
        samples.Add(c.Name, Figures.P50.Key, r.P50);
        samples.Add(c.Name, Figures.P99.Key, r.P99);
        samples.Add(c.Name, Figures.P999.Key, r.P999);
        say($"    round trip: p50 {r.P50:0.0} µs, p99 {r.P99:0.0} µs, p99.9 {r.P999:0.0} µs ({r.Observations:0} observations)");
    }

    private async Task ConnectionRateAsync(BenchCase c)
    {
        var target = c.Target(BenchLab.ProbePort);
        var hs0 = c.Meshed ? await HandshakesAsync().ConfigureAwait(false) : 0;
        var cpu0 = ProcessUsage.CpuSeconds(c.Overhead());
        var (stdout, _) = await PodTools.RunAsync(
            c.Client, TimeSpan.FromMinutes(5), ProbeLauncher.DotnetHost, ProbeLauncher.AssemblyPath, "probe", "rate",
            "--to", target.ToString(), "--connections", options.Connections.ToString(CultureInfo.InvariantCulture),
            "--concurrency", options.RateConcurrency.ToString(CultureInfo.InvariantCulture), "--timeout-ms", "240000").ConfigureAwait(false);
        var cpu = ProcessUsage.CpuSeconds(c.Overhead()) - cpu0;
        var result = System.Text.Json.JsonSerializer.Deserialize(stdout.Split('\n').Last(l => l.StartsWith('{')), LabJsonContext.Default.RateResult)
            ?? throw new LabCommandException("probe rate printed no summary");
        if (!result.Ok)
        {
            throw new LabCommandException($"{c.Name}: {result.Failures} of {result.Connections} connections failed: {result.Error}");
        }

        var rate = result.Connections / (result.ElapsedMs / 1000);
        samples.Add(c.Name, Figures.ConnRate.Key, rate);
        if (c.Overhead().Count > 0)
        {
            samples.Add(c.Name, Figures.CpuPer10k.Key, cpu * 10_000 / result.Connections);
        }
        var handshakes = "";
        if (c.Meshed)
        {
            var hs = await HandshakesAsync().ConfigureAwait(false) - hs0;
            samples.Add(c.Name, Figures.Handshakes.Key, hs);
            handshakes = $", {hs:0} HBONE handshake(s)";
        }

        say($"    {result.Connections} connections: {rate:0} conn/s, overhead CPU {cpu:0.00} s{handshakes}");
    }

    /// <summary>
    /// Memory of the path's processes per idle connection. <paramref name="prefix"/> names the phase:
    /// "" inside the repetitions (after traffic), <see cref="Fresh"/> before any traffic. First N
    /// connections open (the RSS with N idle connections, and the delta per connection), then 2N
    /// more, and the delta over all 3N is taken per connection too. The GC heap grows in steps
    /// of several MiB, as much as 1000 connections hold, so the delta over N alone swings by
    /// several KiB per connection between runs depending on where the steps fall; over 3N they
    /// weigh a third as much. Both figures are reported.
    /// </summary>
    public async Task IdleConnectionsAsync(BenchCase c, string prefix = "")
    {
        var pids = c.Overhead();
        if (pids.Count == 0)
        {
            return; // direct: no process on the path whose memory could grow.
        }

        var n = options.IdleConnections;
        var more = 2 * n;
        var beforeEach = pids.ToDictionary(p => p, ProcessUsage.RssKib);
        using var first = await HoldAsync(c, n, n).ConfigureAwait(false);
        var withEach = pids.ToDictionary(p => p, ProcessUsage.RssKib);
        using var second = await HoldAsync(c, more, n + more).ConfigureAwait(false);
        var thenEach = pids.ToDictionary(p => p, ProcessUsage.RssKib);
        var (before, with, then) = (beforeEach.Values.Sum(), withEach.Values.Sum(), thenEach.Values.Sum());
        samples.Add(c.Name, prefix + Figures.RssBefore.Key, before);
        samples.Add(c.Name, prefix + Figures.RssHeld.Key, with);
        samples.Add(c.Name, prefix + Figures.KibPerConn.Key, (with - before) / (double)n);
        samples.Add(c.Name, prefix + Figures.KibPerConn3N.Key, (then - before) / (double)(n + more));
        foreach (var pid in pids)
        {
            // Per process as well: across nodes each agent holds one side of every connection.
            samples.Add(c.Name, $"{prefix}{Figures.KibPerConn.Key}_{Role(pid)}", (withEach[pid] - beforeEach[pid]) / (double)n);
            samples.Add(c.Name, $"{prefix}{Figures.KibPerConn3N.Key}_{Role(pid)}", (thenEach[pid] - beforeEach[pid]) / (double)(n + more));
        }

        first.Dispose();
        second.Dispose();
        var left = await PodTools.WaitEstablishedAsync(c.Server, BenchLab.ProbePort, k => k == 0, DrainWait).ConfigureAwait(false);
        say($"    {n} idle connections{(prefix.Length > 0 ? " (before any traffic)" : "")}: RSS {before} -> {with} KiB, {(with - before) / (double)n:0.0} KiB each; "
            + $"{more} more: -> {then} KiB, {(then - before) / (double)(n + more):0.0} KiB each over all {n + more}"
            + (left > 0 ? $" ({left} still open after {DrainWait.TotalSeconds} s)" : ""));
    }

    /// <summary>Opens <paramref name="count"/> idle connections, waits until the server application holds <paramref name="total"/>, and lets the set-up settle.</summary>
    private static async Task<LabProcess> HoldAsync(BenchCase c, int count, int total)
    {
        var target = c.Target(BenchLab.ProbePort);
        var hold = c.Client.StartProbe("hold", "--to", target.ToString(), "--connections", count.ToString(CultureInfo.InvariantCulture), "--timeout-ms", "60000");
        try
        {
            var line = await hold.WaitForLineAsync(l => l.Contains("\"held\"", StringComparison.Ordinal), TimeSpan.FromSeconds(90)).ConfigureAwait(false);
            var held = System.Text.Json.JsonSerializer.Deserialize(line, LabJsonContext.Default.HoldEvent)!;
            // Held by the client is not enough: every hop has to reach the server application.
            var arrived = await PodTools.WaitEstablishedAsync(c.Server, BenchLab.ProbePort, k => k >= total, DrainWait).ConfigureAwait(false);
            if (held.Open != count || arrived < total)
            {
                throw new LabCommandException($"{c.Name}: {held.Open} of {count} idle connections open at the client ({held.Error}), {arrived} of {total} at the server");
            }

            // Let allocations of the set-up settle (the agent's buffers are per connection or pooled; either shows now).
            await Task.Delay(1000).ConfigureAwait(false);
            return hold;
        }
        catch
        {
            hold.Dispose();
            throw;
        }
    }

    private string Role(int pid) =>
        pid == lab.AgentA?.Process.Pid ? "agent_a" : pid == lab.AgentB?.Process.Pid ? "agent_b"
        : pid == lab.Stunnel?.Client.Pid ? "stunnel_client" : "stunnel_server";

    private async Task<double> HandshakesAsync() =>
        await AgentMetrics.ClientHandshakesAsync(lab.NodeA).ConfigureAwait(false) + await AgentMetrics.ClientHandshakesAsync(lab.NodeB).ConfigureAwait(false);
}
