using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using Weft.Platform.Transfer;
using Weft.Telemetry.Metrics;
using Weft.Telemetry.Tracing;

namespace Weft.Proxy.Connections;

/// <summary>
/// What one proxied connection's access-log line and metrics say, filled in as the handler
/// learns it (addresses, workloads, identities), counted as opened when the relay starts, and
/// written once when the connection ends.
/// </summary>
internal sealed class ConnectionRecord(string direction, ProxyContext ctx, string? traceParent = null)
{
    public const string MutualTls = "mutual_tls";
    public const string Plaintext = "plaintext";

    private readonly long started = Stopwatch.GetTimestamp();
    private TcpConnectionMetrics? metrics;

    /// <summary>The connection's span (null when tracing does not sample it).</summary>
    public Activity? Activity { get; } = direction == "outbound" ? ConnectionTracing.StartOutbound() : ConnectionTracing.StartInbound(traceParent);

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

    /// <summary>ztunnel's flag for a connection that was not proxied: CONNECT (the upstream could not be reached) unless set, e.g. DENY.</summary>
    public string FailureFlags { get; set; } = "CONNECT";

    /// <summary>The connection is proxied from now on: counts it opened; the relay counts its bytes into the result.</summary>
    public TransferCounts Opened()
    {
        metrics = ctx.TcpMetrics.Opened(Labels("-"));
        return metrics.Counts;
    }

    /// <summary>Ends the record: counts the connection closed (or failed, if never opened) and writes the access-log line.</summary>
    public void Write(long sent, long received, string result)
    {
        EndSpan(sent, received, result);
        if (metrics is not null)
        {
            metrics.Dispose();
        }
        else
        {
            ctx.TcpMetrics.Failed(Labels(FailureFlags));
        }

        var logger = ctx.AccessLogger;
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var durationMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var (source, destination) = (Shown(SourceWorkload), Shown(DestinationWorkload));
        AccessLog.Write(
            logger,
            Direction,
            source,
            SourcePrincipal,
            Source,
            OriginalDestination,
            Upstream,
            destination,
            DestinationPrincipal,
            DestinationService,
            Security,
            sent,
            received,
            durationMs,
            result);
    }

    private void EndSpan(long sent, long received, string result)
    {
        if (Activity is not { } span)
        {
            return;
        }

        span.SetTag("weft.source.workload", Shown(SourceWorkload));
        span.SetTag("weft.source.principal", SourcePrincipal);
        span.SetTag("weft.destination.workload", Shown(DestinationWorkload));
        span.SetTag("weft.destination.principal", DestinationPrincipal);
        span.SetTag("weft.destination.service", DestinationService);
        span.SetTag("weft.connection.security", Security);
        span.SetTag("network.peer.address", Source?.Address.ToString());
        span.SetTag("server.address", OriginalDestination?.Address.ToString());
        span.SetTag("server.port", OriginalDestination?.Port);
        span.SetTag("weft.bytes.sent", sent);
        span.SetTag("weft.bytes.received", received);
        if (metrics is null || result != "ok")
        {
            span.SetStatus(ActivityStatusCode.Error, result);
        }

        span.Dispose();
    }

    /// <summary>
    /// The workload as people read it (namespace/name). Records hold the uid, the key that stays right
    /// when a name is reused; a workload gone from the config by the time the record is written shows its uid.
    /// </summary>
    private string Shown(string uid) => ctx.Routes.Describe(uid)?.Qualified ?? uid;

    private TcpLabels Labels(string flags)
    {
        var source = ctx.Routes.Describe(SourceWorkload);
        var destination = ctx.Routes.Describe(DestinationWorkload);
        var (serviceName, serviceNamespace) = ServiceParts(DestinationService);
        return new TcpLabels
        {
            Reporter = Direction == "outbound" ? TcpLabels.SourceReporter : TcpLabels.DestinationReporter,
            SourceWorkload = source?.Workload ?? TcpLabels.Unknown,
            SourceWorkloadNamespace = source?.Namespace ?? TcpLabels.Unknown,
            SourceCanonicalService = source?.CanonicalService ?? TcpLabels.Unknown,
            SourceCanonicalRevision = source?.CanonicalRevision ?? TcpLabels.Unknown,
            SourceCluster = source is null ? TcpLabels.Unknown : TcpLabels.DefaultCluster,
            SourcePrincipal = SourcePrincipal == "-" ? TcpLabels.Unknown : SourcePrincipal,
            DestinationWorkload = destination?.Workload ?? TcpLabels.Unknown,
            DestinationWorkloadNamespace = destination?.Namespace ?? TcpLabels.Unknown,
            DestinationCanonicalService = destination?.CanonicalService ?? TcpLabels.Unknown,
            DestinationCanonicalRevision = destination?.CanonicalRevision ?? TcpLabels.Unknown,
            DestinationCluster = destination is null ? TcpLabels.Unknown : TcpLabels.DefaultCluster,
            DestinationPrincipal = DestinationPrincipal == "-" ? TcpLabels.Unknown : DestinationPrincipal,
            DestinationService = serviceName is null ? TcpLabels.Unknown : $"{serviceName}.{serviceNamespace}.svc.cluster.local",
            DestinationServiceName = serviceName ?? TcpLabels.Unknown,
            DestinationServiceNamespace = serviceNamespace ?? TcpLabels.Unknown,
            ConnectionSecurityPolicy = Security == MutualTls ? TcpLabels.MutualTls : TcpLabels.Unknown,
            ResponseFlags = flags,
        };
    }

    /// <summary>"namespace/name" split; Istio's destination_service is name.namespace.svc.cluster.local.</summary>
    private static (string? Name, string? Namespace) ServiceParts(string service) =>
        service.IndexOf('/', StringComparison.Ordinal) is var slash and > 0
            ? (service[(slash + 1)..], service[..slash])
            : (null, null);
}
