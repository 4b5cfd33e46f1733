using Weft.Lab;
using Weft.Lab.Probe;

// weft-lab: the probe that lab pods run, and a manual sweep of labs left by killed processes.
switch (args.FirstOrDefault())
{
    case "probe":
        return await ProbeCommand.RunAsync(args[1..]).ConfigureAwait(false);
    case "demo":
        return await Weft.Lab.Demo.DemoCommand.RunAsync(args[1..]).ConfigureAwait(false);
    case "bench":
        return await Weft.Lab.Bench.BenchCommand.RunAsync(args[1..]).ConfigureAwait(false);
    case "sweep":
        Console.WriteLine($"swept {Lab.SweepStale()} stale lab(s)");
        return 0;
    default:
        await Console.Error.WriteLineAsync($"usage: weft-lab demo [--agent PATH] | bench [--smoke] [--out DIR] [--reps N] [--cases C,..] [--measure M,..] [--seconds S] | probe … | sweep\n{ProbeCommand.Usage}").ConfigureAwait(false);
        return 2;
}
