using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Weft.Proxy.Connections;

/// <summary>
/// What one proxied connection's access-log line says, filled in as the handler learns it
/// (addresses, workloads, identities) and written once when the connection ends.
/// </summary>
internal sealed class ConnectionRecord(string direction)
{
    public const string MutualTls = "mutual_tls";
    public const string Plaintext = "plaintext";

    private readonly long started = Stopwatch.GetTimestamp();

    public string Direction { get; } = direction;

    public IPEndPoint? Source { get; set; }

    public IPEndPoint? OriginalDestination { get; set; }

    public IPEndPoint? Upstream { get; set; }

    public string SourceWorkload { get; set; } = "-";

    public string SourcePrincipal { get; set; } = "-";

    public string DestinationWorkload { get; set; } = "-";

    public string DestinationPrincipal { get; set; } = "-";

    public string DestinationService { get; set; } = "-";

    /// <summary>mutual_tls when the connection crossed an HBONE tunnel, else plaintext.</summary>
    public string Security { get; set; } = Plaintext;

    public void Write(ILogger logger, long sent, long received, string result)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var durationMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        AccessLog.Write(
            logger,
            Direction,
            SourceWorkload,
            SourcePrincipal,
            Source,
            OriginalDestination,
            Upstream,
            DestinationWorkload,
            DestinationPrincipal,
            DestinationService,
            Security,
            sent,
            received,
            durationMs,
            result);
    }
}
