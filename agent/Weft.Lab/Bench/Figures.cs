namespace Weft.Lab.Bench;

/// <summary>The figures a case produces: key, label for the report, unit, and whether more is better.</summary>
internal static class Figures
{
    public sealed record Figure(string Key, string Label, string Unit, bool HigherIsBetter);

    public static readonly Figure Throughput1 = new("throughput_1_stream_gbps", "throughput, 1 stream", "Gbit/s", true);
    public static readonly Figure Throughput8 = new("throughput_8_streams_gbps", "throughput, 8 streams", "Gbit/s", true);
    public static readonly Figure P50 = new("latency_p50_us", "round trip p50 (64 B)", "µs", false);
    public static readonly Figure P99 = new("latency_p99_us", "round trip p99", "µs", false);
    public static readonly Figure P999 = new("latency_p999_us", "round trip p99.9", "µs", false);
    public static readonly Figure ConnRate = new("connections_per_second", "new connections per second", "conn/s", true);
    public static readonly Figure CpuPer10k = new("cpu_seconds_per_10k_connections", "CPU per 10,000 connections", "CPU-s", false);
    public static readonly Figure Handshakes = new("hbone_client_handshakes", "HBONE handshakes in the connection-rate run", "", false);
    public static readonly Figure CpuPerGb1 = new("cpu_seconds_per_gb_1_stream", "CPU per GB moved, 1 stream", "CPU-s/GB", false);
    public static readonly Figure CpuPerGb8 = new("cpu_seconds_per_gb_8_streams", "CPU per GB moved, 8 streams", "CPU-s/GB", false);
    public static readonly Figure RssBefore = new("rss_before_idle_connections_kib", "RSS after traffic, before the idle connections", "KiB", false);
    public static readonly Figure RssHeld = new("rss_with_idle_connections_kib", "RSS after traffic, with the idle connections open", "KiB", false);
    public static readonly Figure KibPerConn = new("kib_per_idle_connection", "memory per idle proxied connection, after traffic", "KiB", false);
    public static readonly Figure KibPerConn3N = new("kib_per_idle_connection_3x", "memory per idle proxied connection, over 3× as many, after traffic", "KiB", false);

    public static readonly Figure FreshRssBefore = new(CaseRunner.Fresh + RssBefore.Key, "RSS before any traffic, before the idle connections", "KiB", false);
    public static readonly Figure FreshRssHeld = new(CaseRunner.Fresh + RssHeld.Key, "RSS before any traffic, with the idle connections open", "KiB", false);
    public static readonly Figure FreshKibPerConn = new(CaseRunner.Fresh + KibPerConn.Key, "memory per idle proxied connection, before any traffic", "KiB", false);
    public static readonly Figure FreshKibPerConn3N = new(CaseRunner.Fresh + KibPerConn3N.Key, "memory per idle proxied connection, over 3× as many, before any traffic", "KiB", false);

    public static IReadOnlyList<Figure> All { get; } =
        [Throughput1, Throughput8, P50, P99, P999, ConnRate, CpuPer10k, Handshakes, CpuPerGb1, CpuPerGb8,
         FreshRssBefore, FreshRssHeld, FreshKibPerConn, FreshKibPerConn3N, RssBefore, RssHeld, KibPerConn, KibPerConn3N];
}
