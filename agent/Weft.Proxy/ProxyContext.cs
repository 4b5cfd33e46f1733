using Microsoft.Extensions.Logging;
using Weft.Capture;
using Weft.Identity;
using Weft.Platform.Netns;
using Weft.Policy;
using Weft.Proxy.Connections;
using Weft.Proxy.Routing;
using Weft.Telemetry.Metrics;
using Weft.Tunnel.Hbone;

namespace Weft.Proxy;

/// <summary>
/// What every pod's proxy shares: the netns thread, the capture maps, routing, the certificates
/// of the node's identities, the HBONE pool, the policies in force and the live connections.
/// </summary>
public sealed class ProxyContext(NetnsExecutor executor, BpfCapture capture, ConnectionTracker connections, ILoggerFactory loggers)
{
    private IRouteTable? routes;

    public NetnsExecutor Executor { get; } = executor;

    public BpfCapture Capture { get; } = capture;

    public ConnectionTracker Connections { get; } = connections;

    public ILoggerFactory Loggers { get; } = loggers;

    public ILogger Logger { get; } = loggers.CreateLogger("Weft.Proxy");

    /// <summary>Where access-log lines go (category Weft.AccessLog); the host may give it its own format or turn it off.</summary>
    public ILogger AccessLogger { get; init; } = loggers.CreateLogger(AccessLogCategory);

    public const string AccessLogCategory = "Weft.AccessLog";

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The certificates of the identities of this node's pods.</summary>
    public required CertificateManager Certificates { get; init; }

    /// <summary>Outbound HBONE connections, pooled per (source pod, identities, destination).</summary>
    public required HboneClientPool Tunnels { get; init; }

    public required HboneOptions Hbone { get; init; }

    public required HboneMetrics HboneMetrics { get; init; }

    /// <summary>Inbound TLS handshakes in progress at once, across all of this node's pods.</summary>
    public HandshakeLimit InboundHandshakes { get; } = new();

    /// <summary>Istio's TCP metrics, both sides of every proxied connection.</summary>
    public required TcpMetrics TcpMetrics { get; init; }

    /// <summary>Denials and revocations.</summary>
    public required PolicyMetrics PolicyMetrics { get; init; }

    /// <summary>The policies in force for inbound connections to this node's pods.</summary>
    public required Authorizer Authorizer { get; init; }

    /// <summary>Inbound connections that policy allowed, so a policy change can close those it no longer allows.</summary>
    public LiveConnections Live { get; } = new();

    /// <summary>Swapped whole on every config change; a connection routes against one snapshot.</summary>
    public IRouteTable Routes
    {
        get => Volatile.Read(ref routes) ?? throw new InvalidOperationException("no routes yet");
        set => Volatile.Write(ref routes, value);
    }
}
