using System.Diagnostics;
using System.Net;

namespace Weft.Lab.Bench;

/// <summary>
/// `weft-lab bench`: direct, Weft on one node, Weft across two nodes and a stunnel pair, measured
/// in one lab in one run. Each repetition runs every case once in turn (interleaved, so drift in
/// the machine's state spreads over all cases); the report gives medians. Fails (exit 1) if any
/// measurement of any case fails; asserts nothing about speed.
/// </summary>
internal static class BenchCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"bench: {e.Message}\n{BenchOptions.Usage}").ConfigureAwait(false);
            return 2;
        }

        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var machine = MachineInfo.Read();
        Directory.CreateDirectory(options.OutDir);
        using var lab = BenchLab.Create();
        Say($"bench: lab {lab.Lab.Id}, {options.Reps} repetition(s){(options.Smoke ? ", smoke sizes" : "")}; results to {options.OutDir}");
        try
        {
            await lab.StartAsync().ConfigureAwait(false);
            var agentA = lab.AgentA!.Process.Pid;
            var agentB = lab.AgentB!.Process.Pid;
            // Idle as enrolled: a moment for start-up work (certificates, first reconcile) to finish.
            await Task.Delay(2000).ConfigureAwait(false);
            var idleA = ProcessUsage.RssKib(agentA);
            var idleB = ProcessUsage.RssKib(agentB);
            Say($"agents ready: bench-a pid {agentA} ({lab.EnrolledOn(lab.NodeA).Count} pods, RSS {idleA} KiB), bench-b pid {agentB} ({lab.EnrolledOn(lab.NodeB).Count} pod, RSS {idleB} KiB)");

            BenchCase[] all =
            [
                new(BenchCase.Direct, "direct", lab.DirectClient, lab.DirectServer, p => new IPEndPoint(lab.DirectServer.Address, p), () => [], false),
                new(BenchCase.SameNode, "Weft same node", lab.SameClient, lab.SameServer, p => new IPEndPoint(lab.SameServer.Address, p), () => [agentA], true),
                new(BenchCase.CrossNode, "Weft 2 nodes", lab.CrossClient, lab.CrossServer, p => new IPEndPoint(lab.CrossServer.Address, p), () => [agentA, agentB], true),
                new(BenchCase.Stunnel, "stunnel", lab.TlsClient, lab.TlsServer, StunnelPair.Local, () => lab.Stunnel!.Pids, false),
            ];
            var cases = all.Where(c => options.Cases.Contains(c.Name)).ToArray();
            var samples = new Samples();
            var runner = new CaseRunner(options, lab, samples, Say);

            // Once, before any traffic: after the throughput runs the agents' heaps have room to
            // spare and new connections hide in it (a delta can even come out negative when a GC
            // returns pages). Across nodes first, while both agents are fresh.
            foreach (var c in new[] { all[2], all[1], all[3] }.Where(c => options.Cases.Contains(c.Name) && options.Measure.Contains("idle")))
            {
                Say($"  before any traffic, {c.Name}:");
                await runner.IdleConnectionsAsync(c, CaseRunner.Fresh).ConfigureAwait(false);
            }

            for (var rep = 1; rep <= options.Reps; rep++)
            {
                foreach (var c in cases)
                {
                    Say($"  repetition {rep}/{options.Reps}, {c.Name}:");
                    await runner.RunAsync(c).ConfigureAwait(false);
                }
            }

            var report = new BenchReport(started, clock.Elapsed, machine, options, [.. cases.Select(c => c.Name)],
                cases.ToDictionary(c => c.Name, c => c.Title), samples, idleA, idleB);
            JsonReport.Write(Path.Combine(options.OutDir, "latest.json"), report);
            MarkdownReport.Write(Path.Combine(options.OutDir, "latest.md"), report);
            SvgChart.Write(Path.Combine(options.OutDir, "latest.svg"), report);
            await lab.StopAgentsAsync().ConfigureAwait(false);
            Say($"bench: OK in {clock.Elapsed.TotalMinutes:0.0} min; {Path.Combine(options.OutDir, "latest.md")}");
            return 0;
        }
        catch (Exception e) when (e is LabCommandException or TimeoutException or InvalidOperationException or IOException or HttpRequestException)
        {
            await Console.Error.WriteLineAsync($"bench: FAILED: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static void Say(string line) => Console.WriteLine(line);
}
