using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Weft.Agent.Status;

/// <summary>
/// One screen of `weft status`: the node's enrolled workloads with their identities and
/// certificate expiry (from /config_dump), and per workload pair the live connections and
/// throughput (from two scrapes of the Istio TCP metrics, <paramref name="interval"/> apart).
/// </summary>
public static class StatusFrame
{
    public static string Render(JsonElement dump, IReadOnlyList<MetricSample> before, IReadOnlyList<MetricSample> after, TimeSpan interval, DateTimeOffset now)
    {
        var sb = new StringBuilder();
        var node = dump.TryGetProperty("node", out var n) ? n.GetString() : "?";
        Line(sb, $"weft status: node {node}, {now.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC");
        Line(sb, "");
        var certificates = dump.GetProperty("certificates").EnumerateArray()
            .ToDictionary(c => c.GetProperty("identity").GetString()!, c => c.TryGetProperty("notAfter", out var na) ? na.GetDateTimeOffset() : (DateTimeOffset?)null, StringComparer.Ordinal);
        var enrolled = dump.GetProperty("workloads").EnumerateArray().Where(w => w.GetProperty("enrolled").GetBoolean()).ToList();
        Line(sb, $"enrolled workloads: {enrolled.Count}");
        Line(sb, $"  {"workload",-28} {"identity",-52} certificate");
        foreach (var w in enrolled)
        {
            var identity = w.GetProperty("identity").GetString()!;
            var cert = certificates.TryGetValue(identity, out var notAfter) && notAfter is { } expiry
                ? $"expires in {Duration(expiry - now)}"
                : "not issued yet";
            Line(sb, $"  {w.GetProperty("namespace").GetString() + "/" + w.GetProperty("name").GetString(),-28} {identity,-52} {cert}");
        }

        Line(sb, "");
        Line(sb, "connections by workload pair (as this node's agent saw them):");
        Line(sb, $"  {"side",-6} {"source -> destination",-40} {"security",-10} {"live",5} {"sent/s",10} {"received/s",11} {"total",10}");
        var pairs = Pairs(after);
        var previous = Pairs(before);
        foreach (var (key, now2) in pairs.OrderBy(p => p.Key.Source, StringComparer.Ordinal).ThenBy(p => p.Key.Destination, StringComparer.Ordinal))
        {
            var was = previous.GetValueOrDefault(key);
            var seconds = Math.Max(interval.TotalSeconds, 0.001);
            Line(sb, $"  {key.Side,-6} {key.Source + " -> " + key.Destination,-40} {key.Security,-10} {now2.Opened - now2.Closed,5:0} {Rate((now2.Sent - was.Sent) / seconds),10} {Rate((now2.Received - was.Received) / seconds),11} {Bytes(now2.Sent + now2.Received),10}");
        }

        if (pairs.Count == 0)
        {
            Line(sb, "  (no connections yet)");
        }

        return sb.ToString();
    }

    private static Dictionary<PairKey, PairTotals> Pairs(IReadOnlyList<MetricSample> samples)
    {
        var pairs = new Dictionary<PairKey, PairTotals>();
        foreach (var s in samples.Where(s => s.Name.StartsWith("istio_tcp_", StringComparison.Ordinal)))
        {
            var key = new PairKey(
                s.Label("reporter"),
                $"{s.Label("source_workload_namespace")}/{s.Label("source_workload")}",
                $"{s.Label("destination_workload_namespace")}/{s.Label("destination_workload")}",
                s.Label("connection_security_policy") == "mutual_tls" ? "mTLS" : "plaintext");
            var t = pairs.GetValueOrDefault(key);
            pairs[key] = s.Name switch
            {
                "istio_tcp_connections_opened_total" => t with { Opened = t.Opened + s.Value },
                "istio_tcp_connections_closed_total" => t with { Closed = t.Closed + s.Value },
                "istio_tcp_sent_bytes_total" => t with { Sent = t.Sent + s.Value },
                "istio_tcp_received_bytes_total" => t with { Received = t.Received + s.Value },
                _ => t,
            };
        }

        return pairs;
    }

    private static string Rate(double bytesPerSecond) => Bytes(bytesPerSecond) + "/s";

    private static string Bytes(double bytes) => bytes switch
    {
        >= 1 << 30 => (bytes / (1 << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB",
        >= 1 << 20 => (bytes / (1 << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1 << 10 => (bytes / (1 << 10)).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString("0", CultureInfo.InvariantCulture) + " B",
    };

    private static string Duration(TimeSpan t) =>
        t <= TimeSpan.Zero ? "EXPIRED" : t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : $"{t.Minutes}m{t.Seconds:00}s";

    private static void Line(StringBuilder sb, string text) => sb.Append(text).Append('\n');

    private readonly record struct PairKey(string Side, string Source, string Destination, string Security);

    private readonly record struct PairTotals(double Opened, double Closed, double Sent, double Received);
}
