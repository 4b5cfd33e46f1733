using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Weft.Capture.Libbpf;
using Weft.Capture.Maps;
using Weft.Platform.Netns;
using Weft.Proxy.Connections;
using Weft.Proxy.Listeners;
using Weft.Proxy.Relay;

namespace Weft.Proxy;

/// <summary>
/// The agent's presence inside one enrolled pod: listeners bound in the pod's network
/// namespace (outbound 15001, inbound 15006), its enrolment in the capture maps, and the
/// sk_lookup attachment. Releasing it undoes all of that; connections already proxied go on.
/// </summary>
public sealed partial class PodProxy : IAsyncDisposable
{
    private readonly ProxyContext ctx;
    private readonly PodSockets sockets;
    private readonly List<Socket> outboundListeners = [];
    private readonly List<IPAddress> steered = [];
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> acceptLoops = [];
    private Socket? inboundListener;
    private BpfLink? inboundLink;
    private bool enrolled;

    private PodProxy(ProxyContext ctx, PodInfo pod, NetworkNamespace netns)
    {
        this.ctx = ctx;
        Pod = pod;
        sockets = new PodSockets(ctx.Executor, netns);
    }

    public PodInfo Pod { get; }

    public ulong NetnsCookie { get; private set; }

    public NetworkNamespace Netns => sockets.Netns;

    /// <summary>Binds the pod's listeners, enrols its namespace and starts accepting.</summary>
    public static async Task<PodProxy> StartAsync(ProxyContext ctx, PodInfo pod, uint podId)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(pod);
        var proxy = new PodProxy(ctx, pod, NetworkNamespace.Open(pod.NetnsPath));
        try
        {
            await proxy.StartAsync(podId).ConfigureAwait(false);
            return proxy;
        }
        catch
        {
            await proxy.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Release first, so new connections go direct while the listeners close.
        if (enrolled)
        {
            ctx.Capture.Release(NetnsCookie);
        }

        foreach (var address in steered)
        {
            ctx.Capture.RemoveListener(address, ListenerKind.Plain);
        }

        if (inboundLink is not null)
        {
            ctx.Capture.DetachInbound(inboundLink);
        }
        await stop.CancelAsync().ConfigureAwait(false);
        foreach (var s in outboundListeners)
        {
            s.Dispose();
        }

        inboundListener?.Dispose();
        await Task.WhenAll(acceptLoops).ConfigureAwait(false);
        stop.Dispose();
        sockets.Netns.Dispose();
    }

    private async Task StartAsync(uint podId)
    {
        NetnsCookie = await sockets.CookieAsync().ConfigureAwait(false);
        outboundListeners.Add(await sockets.ListenAsync(new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort)).ConfigureAwait(false));
        try
        {
            outboundListeners.Add(await sockets.ListenAsync(new IPEndPoint(IPAddress.IPv6Loopback, WeftConstants.OutboundPort)).ConfigureAwait(false));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported)
        {
            // The pod has no IPv6 loopback (IPv6 disabled in it): IPv6 destinations are then unreachable anyway.
        }

        inboundListener = await sockets.ListenAsync(new IPEndPoint(IPAddress.Loopback, WeftConstants.InboundPlainPort)).ConfigureAwait(false);
        foreach (var s in outboundListeners)
        {
            acceptLoops.Add(AcceptLoopAsync(s, HandleOutboundAsync));
        }

        acceptLoops.Add(AcceptLoopAsync(inboundListener, HandleInboundAsync));

        // Inbound steering is IPv4 for now: the agent's IPv4 connections to the application
        // come from 127.0.0.6, which sk_lookup recognises; IPv6 has no such address yet.
        foreach (var address in Pod.Addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork))
        {
            ctx.Capture.SetListener(address, ListenerKind.Plain, inboundListener);
            steered.Add(address);
        }

        inboundLink = ctx.Capture.AttachInbound(Netns);
        ctx.Capture.Enroll(NetnsCookie, podId);
        enrolled = true;
    }

    private async Task AcceptLoopAsync(Socket listener, Func<Socket, CancellationToken, Task> handler)
    {
        await Task.Yield();
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // EMFILE and friends: say so, pause, keep serving.
                LogAcceptFailed(ctx.Logger, Pod.Uid, e.SocketErrorCode);
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }

            client.NoDelay = true;
            ctx.Connections.Start(ct => handler(client, ct));
        }
    }

    private async Task HandleOutboundAsync(Socket client, CancellationToken abort)
    {
        var started = Stopwatch.GetTimestamp();
        var peer = (IPEndPoint?)client.RemoteEndPoint;
        IPEndPoint? source = null;
        IPEndPoint? original = null;
        Socket? upstream = null;
        var route = default(Routing.Route);
        try
        {
            if (peer is null || !ctx.Capture.TryTakeOriginalDestination(NetnsCookie, client.AddressFamily, peer.Port, out original) || original is null)
            {
                Finish("outbound", peer, null, route, default, started, "no original destination");
                TcpRelay.Reset(client);
                return;
            }

            // The application's socket sits on loopback after the redirect; report the pod's address.
            source = new IPEndPoint(PodAddress(original.AddressFamily) ?? peer.Address, peer.Port);
            route = ctx.Routes.Resolve(original);
            if (route.Upstream is null)
            {
                Finish("outbound", source, original, route, default, started, route.Refusal ?? "refused");
                TcpRelay.Reset(client);
                return;
            }

            upstream = await sockets.UpstreamAsync(route.Upstream.AddressFamily).ConfigureAwait(false);
            var error = await ConnectAsync(upstream, route.Upstream, abort).ConfigureAwait(false);
            if (error is not null)
            {
                Finish("outbound", source, original, route, default, started, "connect failed: " + error);
                TcpRelay.Reset(client);
                return;
            }

            var result = await TcpRelay.RunAsync(client, upstream, abort).ConfigureAwait(false);
            Finish("outbound", source, original, route, result, started, result.Error ?? "ok");
        }
        finally
        {
            client.Dispose();
            upstream?.Dispose();
        }
    }

    private async Task HandleInboundAsync(Socket client, CancellationToken abort)
    {
        var started = Stopwatch.GetTimestamp();
        var source = (IPEndPoint?)client.RemoteEndPoint;
        var original = (IPEndPoint?)client.LocalEndPoint;
        Socket? upstream = null;
        var route = new Routing.Route(original, Pod.Uid, "-", null);
        try
        {
            if (source is null || original is null)
            {
                TcpRelay.Reset(client);
                return;
            }

            // From 127.0.0.6 inside the pod, so sk_lookup lets it reach the application.
            upstream = await sockets.UpstreamAsync(AddressFamily.InterNetwork, new IPEndPoint(WeftConstants.InboundSourceV4, 0)).ConfigureAwait(false);
            var error = await ConnectAsync(upstream, original, abort).ConfigureAwait(false);
            if (error is not null)
            {
                Finish("inbound", source, original, route, default, started, "connect failed: " + error);
                TcpRelay.Reset(client);
                return;
            }

            var result = await TcpRelay.RunAsync(client, upstream, abort).ConfigureAwait(false);
            Finish("inbound", source, original, route, result, started, result.Error ?? "ok");
        }
        finally
        {
            client.Dispose();
            upstream?.Dispose();
        }
    }

    private IPAddress? PodAddress(AddressFamily family)
    {
        foreach (var a in Pod.Addresses)
        {
            if (a.AddressFamily == family)
            {
                return a;
            }
        }

        return null;
    }

    private async Task<string?> ConnectAsync(Socket upstream, IPEndPoint target, CancellationToken abort)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(abort);
        timeout.CancelAfter(ctx.ConnectTimeout);
        try
        {
            await upstream.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode.ToString();
        }
        catch (OperationCanceledException)
        {
            return abort.IsCancellationRequested ? "aborted" : "timeout";
        }
    }

    private void Finish(string direction, IPEndPoint? source, IPEndPoint? original, Routing.Route route, RelayResult result, long started, string outcome)
    {
        if (!ctx.AccessLogger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var durationMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var sourceWorkload = direction == "outbound" ? Pod.Uid : (source is null ? null : ctx.Routes.WorkloadAt(source.Address)) ?? "-";
        AccessLog.Write(
            ctx.AccessLogger,
            direction,
            sourceWorkload,
            source,
            original,
            route.Upstream,
            route.DestinationWorkload,
            route.DestinationService,
            result.Sent,
            result.Received,
            durationMs,
            outcome);
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "pod {Pod}: accept failed: {Error}")]
    private static partial void LogAcceptFailed(ILogger logger, string pod, SocketError error);
}
