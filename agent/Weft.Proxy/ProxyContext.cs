using Microsoft.Extensions.Logging;
using Weft.Capture;
using Weft.Platform.Netns;
using Weft.Proxy.Connections;
using Weft.Proxy.Routing;

namespace Weft.Proxy;

/// <summary>What every pod's proxy shares: the netns thread, the capture maps, routing and the connection set.</summary>
public sealed class ProxyContext(NetnsExecutor executor, BpfCapture capture, ConnectionTracker connections, ILoggerFactory loggers)
{
    private IRouteTable? routes;

    public NetnsExecutor Executor { get; } = executor;

    public BpfCapture Capture { get; } = capture;

    public ConnectionTracker Connections { get; } = connections;

    public ILogger Logger { get; } = loggers.CreateLogger("Weft.Proxy");

    public ILogger AccessLogger { get; } = loggers.CreateLogger("Weft.AccessLog");

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Swapped whole on every config change; a connection routes against one snapshot.</summary>
    public IRouteTable Routes
    {
        get => Volatile.Read(ref routes) ?? throw new InvalidOperationException("no routes yet");
        set => Volatile.Write(ref routes, value);
    }
}
