using System.Globalization;
using System.Text.Json;

namespace Weft.Lab.Bench;

/// <summary>iperf3 in lab pods: `iperf3 -s` in the server pod, `iperf3 -c … -P N -J` in the client's.</summary>
internal static class Iperf
{
    public const int Port = 5201;

    /// <summary>What the receiver counted: bits per second and bytes over the whole test.</summary>
    public sealed record Result(double BitsPerSecond, double Bytes);

    public static Task<LabProcess> ServeAsync(LabPod pod) =>
        PodTools.StartListeningAsync(pod, Port, "iperf3", "-s", "-p", Port.ToString(CultureInfo.InvariantCulture));

    public static async Task<Result> RunAsync(LabPod client, string host, int port, int streams, int seconds)
    {
        var (stdout, _) = await PodTools.RunAsync(
            client, TimeSpan.FromSeconds(seconds + 30), "iperf3",
            "-c", host, "-p", port.ToString(CultureInfo.InvariantCulture),
            "-t", seconds.ToString(CultureInfo.InvariantCulture), "-P", streams.ToString(CultureInfo.InvariantCulture), "-J").ConfigureAwait(false);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        if (root.TryGetProperty("error", out var error))
        {
            throw new LabCommandException($"iperf3 to {host}:{port}: {error.GetString()}");
        }

        var received = root.GetProperty("end").GetProperty("sum_received");
        return new Result(received.GetProperty("bits_per_second").GetDouble(), received.GetProperty("bytes").GetDouble());
    }
}
