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
using Weft.Tunnel.Hbone;

namespace Weft.Proxy;

/// <summary>
/// The agent's presence inside one enrolled pod: listeners bound in the pod's network
/// namespace (outbound 15001, plaintext inbound 15006, HBONE inbound 15008), its enrolment in
/// the capture maps, and the sk_lookup attachment. Releasing it undoes all of that; connections already proxied go on.
/// </summary>
public sealed partial class PodProxy : IAsyncDisposable
{
    private readonly ProxyContext ctx;
    private readonly PodSockets sockets;
    private readonly List<Socket> outboundListeners = [];
    private readonly HashSet<IPAddress> steered = [];
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> acceptLoops = [];
    private readonly Func<IPEndPoint, CancellationToken, ValueTask<Socket>> dial;
    private readonly HboneInbound tunnelServer;
    private Socket? inboundListener;
    private Socket? tunnelListener;
    private BpfLink? inboundLink;
    private bool enrolled;

    private PodProxy(ProxyContext ctx, PodInfo pod, NetworkNamespace netns)
    {
        this.ctx = ctx;
        Pod = pod;
        sockets = new PodSockets(ctx.Executor, netns);
        dial = DialTunnelAsync;
        tunnelServer = new HboneInbound(
            new HboneInboundSettings
            {
                Certificate = ct => new ValueTask<Weft.Identity.WorkloadCertificate>(ctx.Certificates.GetAsync(pod.Identity, ct)),
                TrustDomain = pod.Identity.TrustDomain,
                IsLocalAddress = pod.Owns,
                Handler = HandleTunnelStreamAsync,
            },
            ctx.Hbone,
            ctx.HboneMetrics,
            ctx.Loggers.CreateLogger("Weft.Hbone"));
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
        // Release first, so new connections go direct while the listeners close. A failure
        // here is logged, never allowed to leak the listeners and the namespace below.
        try
        {
            if (enrolled)
            {
                ctx.Capture.Release(NetnsCookie);
            }

            foreach (var address in steered)
            {
                ctx.Capture.RemoveListener(address, ListenerKind.Plain);
                ctx.Capture.RemoveListener(address, ListenerKind.Tunnel);
            }
        }
        catch (Exception e)
        {
            LogReleaseFailed(ctx.Logger, Pod.Uid, e.Message);
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
        tunnelListener?.Dispose();
        await Task.WhenAll(acceptLoops).ConfigureAwait(false);
        stop.Dispose();
        sockets.Netns.Dispose();
    }

    private async Task StartAsync(uint podId)
    {
        // Enrolling the agent's own namespace would capture the host's connections.
        if (Netns.Inode == NetworkNamespace.CurrentInode("/proc/self/ns/net"))
        {
            throw new NetnsException($"{Pod.NetnsPath} is the agent's own network namespace (a hostNetwork pod?); refusing to enrol it");
        }

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
        tunnelListener = await sockets.ListenAsync(new IPEndPoint(IPAddress.Loopback, WeftConstants.InboundTunnelPort)).ConfigureAwait(false);
        foreach (var s in outboundListeners)
        {
            acceptLoops.Add(AcceptLoopAsync(s, HandleOutboundAsync));
        }

        acceptLoops.Add(AcceptLoopAsync(inboundListener, HandleInboundAsync));
        acceptLoops.Add(AcceptLoopAsync(tunnelListener, tunnelServer.ServeAsync));

        // Inbound steering is IPv4 for now: the agent's IPv4 connections to the application
        // come from 127.0.0.6, which sk_lookup recognises; IPv6 has no such address yet.
        // The set is complete before any address is steered: handlers read it without a lock.
        steered.UnionWith(Pod.Addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork));
        foreach (var address in steered)
        {
            ctx.Capture.SetListener(address, ListenerKind.Plain, inboundListener);
            ctx.Capture.SetListener(address, ListenerKind.Tunnel, tunnelListener);
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

            PodSockets.Tune(client);
            ctx.Connections.Start(ct => handler(client, ct));
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "pod {Pod}: accept failed: {Error}")]
    private static partial void LogAcceptFailed(ILogger logger, string pod, SocketError error);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "pod {Pod}: releasing its capture entries failed: {Error}")]
    private static partial void LogReleaseFailed(ILogger logger, string pod, string error);
}
