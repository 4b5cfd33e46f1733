using System.Globalization;
using System.Text.RegularExpressions;

namespace Weft.Lab.Bench;

/// <summary>
/// sockperf ping-pong over TCP: `sockperf sr --tcp` in the server pod, `sockperf pp --tcp --full-rtt`
/// in the client's. One message in flight at a time; the figures are sockperf's own percentile lines
/// of the round-trip time, in microseconds.
/// </summary>
internal static partial class Sockperf
{
    public const int Port = 11111;
    public const int MessageBytes = 64;

    public sealed record Result(double P50, double P99, double P999, double Observations);

    public static Task<LabProcess> ServeAsync(LabPod pod) =>
        PodTools.StartListeningAsync(pod, Port, "sockperf", "sr", "--tcp", "-i", "0.0.0.0", "-p", Port.ToString(CultureInfo.InvariantCulture));

    public static async Task<Result> RunAsync(LabPod client, string host, int port, int seconds)
    {
        var (stdout, stderr) = await PodTools.RunAsync(
            client, TimeSpan.FromSeconds(seconds + 30), "sockperf",
            "pp", "--tcp", "--full-rtt", "-i", host, "-p", port.ToString(CultureInfo.InvariantCulture),
            "-t", seconds.ToString(CultureInfo.InvariantCulture), "-m", MessageBytes.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        var text = Ansi().Replace(stdout + "\n" + stderr, "");
        var percentiles = Percentile().Matches(text).ToDictionary(
            m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        var observations = Observations().Match(text);
        if (!percentiles.TryGetValue("50.000", out var p50) || !percentiles.TryGetValue("99.000", out var p99)
            || !percentiles.TryGetValue("99.900", out var p999) || !observations.Success)
        {
            throw new LabCommandException($"sockperf to {host}:{port} printed no percentiles: {text.Trim()}");
        }

        return new Result(p50, p99, p999, double.Parse(observations.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex Ansi();

    [GeneratedRegex(@"percentile\s+([0-9.]+)\s*=\s*([0-9.]+)")]
    private static partial Regex Percentile();

    [GeneratedRegex(@"Total\s+(\d+)\s+observations")]
    private static partial Regex Observations();
}
