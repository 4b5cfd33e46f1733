using System.Globalization;

namespace Weft.Lab.Bench;

/// <summary>`weft-lab bench [--smoke] [--out DIR] [--reps N]`: the sizes of one run.</summary>
internal sealed record BenchOptions(bool Smoke, string OutDir, int Reps, int IperfSeconds, int SockperfSeconds, int Connections, int RateConcurrency, int IdleConnections)
{
    public const string Usage = "usage: weft-lab bench [--smoke] [--out DIR] [--reps N] [--cases C,..] [--measure M,..] [--seconds S]";

    /// <summary>Every measurement one repetition takes, in order; <c>--measure</c> picks some of them.</summary>
    public static readonly string[] Measurements = ["throughput", "latency", "rate", "idle"];

    public static readonly string[] CaseNames = [BenchCase.Direct, BenchCase.SameNode, BenchCase.CrossNode, BenchCase.Stunnel];

    /// <summary>The cases to run (all by default). A partial run is for working on one figure: its report says "not measured" for the rest.</summary>
    public IReadOnlySet<string> Cases { get; init; } = CaseNames.ToHashSet();

    public IReadOnlySet<string> Measure { get; init; } = Measurements.ToHashSet();

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var smoke = false;
        string? outDir = null;
        int? reps = null, seconds = null;
        HashSet<string>? cases = null, measure = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--smoke": smoke = true; break;
                case "--out" when i + 1 < args.Count: outDir = args[++i]; break;
                case "--reps" when i + 1 < args.Count:
                    reps = int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                        ? n : throw new FormatException($"--reps: '{args[i]}' is not a positive number");
                    break;
                case "--seconds" when i + 1 < args.Count:
                    seconds = int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0
                        ? s : throw new FormatException($"--seconds: '{args[i]}' is not a positive number");
                    break;
                case "--cases" when i + 1 < args.Count: cases = Subset("--cases", args[++i], CaseNames); break;
                case "--measure" when i + 1 < args.Count: measure = Subset("--measure", args[++i], Measurements); break;
                default: throw new FormatException($"unknown or incomplete flag {args[i]}");
            }
        }

        // Smoke: the same code path in seconds. Full: enough samples for stable medians in < 10 min on 2 cores.
        var sizes = smoke
            ? new BenchOptions(true, outDir ?? "out/bench-smoke", reps ?? 1, 1, 1, 50, 4, 100)
            : new BenchOptions(false, outDir ?? "bench/results", reps ?? 3, 5, 5, 2000, 4, 1000);
        // --seconds: longer iperf3 and sockperf runs, long enough to attach a profiler to one.
        return sizes with
        {
            Cases = cases ?? sizes.Cases,
            Measure = measure ?? sizes.Measure,
            IperfSeconds = seconds ?? sizes.IperfSeconds,
            SockperfSeconds = seconds ?? sizes.SockperfSeconds,
        };
    }

    private static HashSet<string> Subset(string flag, string list, string[] known)
    {
        var picked = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        var unknown = picked.Except(known).ToList();
        return unknown.Count > 0 || picked.Count == 0
            ? throw new FormatException($"{flag}: '{list}' must name some of {string.Join(", ", known)}" + (unknown.Count > 0 ? $" (unknown: {string.Join(", ", unknown)})" : ""))
            : picked;
    }
}
