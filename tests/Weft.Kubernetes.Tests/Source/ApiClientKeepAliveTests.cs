using System.Globalization;
using Weft.Kubernetes.Source;
using Weft.Kubernetes.Watch;
using Weft.Tests.Shared.Kubernetes;

namespace Weft.Kubernetes.Tests.Source;

/// <summary>The API connection probes an idle peer with TCP keep-alive, seen where the kernel shows it: /proc/net/tcp and tcp6.</summary>
public sealed class ApiClientKeepAliveTests
{
    [Fact]
    public async Task An_idle_watch_connection_has_a_keep_alive_timer_within_the_idle_time()
    {
        using var server = new StandInApiServer { SilentWatches = true };
        using var client = WatchHarness.ClientFor(server);

        using var response = await ApiRequest.WatchAsync(client, "api/v1/namespaces", null, "0", 60, CancellationToken.None);
        var (timer, when) = ClientSocketTimer(server.Port);

        // The "tr" field is 2 while a keep-alive timer is pending (0: no timer); "tm->when" is in hundredths of a second.
        Assert.Equal(2, timer);
        Assert.InRange(when, 1, ApiKeepAlive.IdleSeconds * 100);
    }

    /// <summary>The timer of the one established socket whose remote port is the server's: the client's side.</summary>
    private static (int Timer, long When) ClientSocketTimer(int serverPort)
    {
        var found = new List<(int, long)>();
        // A dual-mode socket (the handler's default, and ours) connected to 127.0.0.1 is listed in tcp6.
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1).Concat(File.ReadLines("/proc/net/tcp6").Skip(1)))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var remotePort = int.Parse(fields[2].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (remotePort != serverPort || fields[3] != "01")
            {
                continue;
            }

            var timer = fields[5].Split(':');
            found.Add((int.Parse(timer[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), long.Parse(timer[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        }

        return Assert.Single(found);
    }
}
