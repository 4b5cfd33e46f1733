using System.Globalization;

namespace Weft.Lab.Bench;

/// <summary>`weft-lab bench [--smoke] [--out DIR] [--reps N]`: the sizes of one run.</summary>
internal sealed record BenchOptions(bool Smoke, string OutDir, int Reps, int IperfSeconds, int SockperfSeconds, int Connections, int RateConcurrency, int IdleConnections)
{
    public const string Usage = "usage: weft-lab bench [--smoke] [--out DIR] [--reps N]";

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var smoke = false;
        string? outDir = null;
        int? reps = null;
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
                default: throw new FormatException($"unknown or incomplete flag {args[i]}");
            }
        }

        // Smoke: the same code path in seconds. Full: enough samples for stable medians in < 10 min on 2 cores.
        return smoke
            ? new BenchOptions(true, outDir ?? "out/bench-smoke", reps ?? 1, 1, 1, 50, 4, 100)
            : new BenchOptions(false, outDir ?? "bench/results", reps ?? 3, 5, 5, 2000, 4, 1000);
    }
}
