using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Weft.Agent.Status;

/// <summary>
/// `weft status`: a terminal view of the running agent for a person, from its localhost admin
/// endpoint (/config_dump) and its Prometheus endpoint, refreshed in place until Ctrl+C;
/// `--once` prints one frame (two scrapes an interval apart, for the rates) and exits.
/// </summary>
public static class StatusCommand
{
    public const string Usage = """
        usage: weft status [--admin HOST:PORT] [--metrics HOST:PORT] [--interval SECONDS] [--once]
          --admin HOST:PORT    the agent's admin endpoint (default 127.0.0.1:15000)
          --metrics HOST:PORT  the agent's Prometheus endpoint (default 127.0.0.1:15020)
          --interval SECONDS   refresh period, also the window of the rates (default 2)
          --once               print one frame and exit (for scripts)
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var admin = new IPEndPoint(IPAddress.Loopback, 15000);
        var metrics = new IPEndPoint(IPAddress.Loopback, 15020);
        var interval = TimeSpan.FromSeconds(2);
        var once = false;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--admin": admin = IPEndPoint.Parse(Value()); break;
                    case "--metrics": metrics = IPEndPoint.Parse(Value()); break;
                    case "--interval": interval = TimeSpan.FromSeconds(double.Parse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture)); break;
                    case "--once": once = true; break;
                    default: throw new FormatException($"unknown option {args[i]}");
                }
            }
            catch (FormatException e)
            {
                await Console.Error.WriteLineAsync($"weft status: {e.Message}\n{Usage}").ConfigureAwait(false);
                return 2;
            }
        }

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        try
        {
            var before = await ScrapeAsync(http, metrics).ConfigureAwait(false);
            do
            {
                await Task.Delay(interval, stop.Token).ConfigureAwait(false);
                var after = await ScrapeAsync(http, metrics).ConfigureAwait(false);
                using var dump = JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://{admin}/config_dump"), stop.Token).ConfigureAwait(false));
                var frame = StatusFrame.Render(dump.RootElement, before, after, interval, DateTimeOffset.UtcNow);

                // In place: home and clear, then the frame (a terminal redraws, a pipe gets one frame per tick).
                Console.Write(once || Console.IsOutputRedirected ? frame : "\u001b[H\u001b[2J" + frame);
                before = after;
            }
            while (!once && !stop.IsCancellationRequested);
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
        catch (HttpRequestException e)
        {
            await Console.Error.WriteLineAsync($"weft status: cannot reach the agent ({e.Message}): is it running on this node, and are --admin {admin} and --metrics {metrics} its telemetry addresses?").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<List<MetricSample>> ScrapeAsync(HttpClient http, IPEndPoint metrics) =>
        MetricSample.Parse(await http.GetStringAsync(new Uri($"http://{metrics}/metrics")).ConfigureAwait(false));
}
