namespace Weft.Lab.Probe;

/// <summary>`weft-lab probe serve|send …`: a small TCP traffic tool run inside lab pods.</summary>
internal static class ProbeCommand
{
    public const string Usage = """
        usage: weft-lab probe serve --port P [--port P2 …] [--reply-bytes M]
               weft-lab probe send --to ip:port --bytes N [--expect-reply M] [--parallel C] [--timeout-ms T]
               weft-lab probe rate --to ip:port --connections N [--concurrency C] [--timeout-ms T]
               weft-lab probe hold --to ip:port --connections N [--timeout-ms T]
        """;

    /// <summary>Exit codes: 0 all good, 1 a connection (or listen) failed, 2 bad usage.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            switch (args.FirstOrDefault())
            {
                case "serve":
                    using (var stop = new CancellationTokenSource())
                    {
                        Console.CancelKeyPress += (_, e) =>
                        {
                            e.Cancel = true;
                            stop.Cancel();
                        };
                        return await ProbeServer.RunAsync(ProbeOptions.ParseServe(args[1..]), stop.Token).ConfigureAwait(false);
                    }

                case "send":
                    return await ProbeSender.RunAsync(ProbeOptions.ParseSend(args[1..])).ConfigureAwait(false);
                case "rate":
                    return await ProbeRate.RunAsync(ProbeOptions.ParseRate(args[1..])).ConfigureAwait(false);
                case "hold":
                    return await ProbeHold.RunAsync(ProbeOptions.ParseHold(args[1..])).ConfigureAwait(false);
                default:
                    await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
                    return 2;
            }
        }
        catch (System.Net.Sockets.SocketException e)
        {
            // Mostly a port already in use; one line is more useful to the lab than a stack trace.
            await Console.Error.WriteLineAsync($"probe: {e.SocketErrorCode}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"probe: {e.Message}\n{Usage}").ConfigureAwait(false);
            return 2;
        }
    }
}
