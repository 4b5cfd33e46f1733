using System.Collections.Frozen;
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
    private string tunnelSourceKey = "";
    private FrozenSet<IPAddress> steered = FrozenSet<IPAddress>.Empty;
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> acceptLoops = [];
    private readonly Func<IPEndPoint, CancellationToken, ValueTask<Socket>> dial;
    private readonly HboneInbound tunnelServer;
    private readonly List<Socket> inboundListeners = [];
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
                Handshakes = ctx.InboundHandshakes,
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

        foreach (var s in inboundListeners)
        {
            s.Dispose();
        }

        // Tunnel connections still open take no new streams (GOAWAY); their streams finish.
        await tunnelServer.GoAwayAllAsync().ConfigureAwait(false);
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

        // Pooled tunnels were dialled from one namespace: a pod re-created under the same uid must not reuse them.
        tunnelSourceKey = $"{Pod.Uid}@{NetnsCookie}";
        outboundListeners.Add(await sockets.ListenAsync(new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort)).ConfigureAwait(false));
        try
        {
            outboundListeners.Add(await sockets.ListenAsync(new IPEndPoint(IPAddress.IPv6Loopback, WeftConstants.OutboundPort)).ConfigureAwait(false));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported)
        {
            // The pod has no IPv6 loopback (IPv6 disabled in it): IPv6 destinations are then unreachable anyway.
        }

        foreach (var s in outboundListeners)
        {
            acceptLoops.Add(AcceptLoopAsync(s, HandleOutboundAsync));
        }

        // Inbound listeners per address family the pod has (sk_lookup assigns only a socket of the
        // packet's family). The agent's own connections to the application are told apart by their
        // source: 127.0.0.6 for IPv4, the pod's own address for IPv6.
        var v4 = await BindInboundAsync(AddressFamily.InterNetwork, IPAddress.Loopback).ConfigureAwait(false);
        var v6 = await BindInboundAsync(AddressFamily.InterNetworkV6, IPAddress.IPv6Loopback).ConfigureAwait(false);

        // Complete before the first accept: handlers read it without a lock.
        steered = Pod.Addresses.Where(a => (a.AddressFamily == AddressFamily.InterNetwork ? v4 : v6) is not null).ToFrozenSet();
        foreach (var (plain, tunnel) in new[] { v4, v6 }.OfType<(Socket, Socket)>())
        {
            acceptLoops.Add(AcceptLoopAsync(plain, HandleInboundAsync));
            acceptLoops.Add(AcceptLoopAsync(tunnel, tunnelServer.ServeAsync));
        }

        foreach (var address in steered)
        {
            var (plain, tunnel) = address.AddressFamily == AddressFamily.InterNetwork ? v4!.Value : v6!.Value;
            ctx.Capture.SetListener(address, ListenerKind.Plain, plain);
            ctx.Capture.SetListener(address, ListenerKind.Tunnel, tunnel);
        }

        inboundLink = ctx.Capture.AttachInbound(Netns);
        ctx.Capture.Enroll(NetnsCookie, podId);
        enrolled = true;
    }

    /// <summary>The plaintext and tunnel listeners for one family, or null when the pod has no address (or no loopback) of it.</summary>
    private async Task<(Socket Plain, Socket Tunnel)?> BindInboundAsync(AddressFamily family, IPAddress loopback)
    {
        if (!Pod.Addresses.Any(a => a.AddressFamily == family))
        {
            return null;
        }

        try
        {
            var plain = await sockets.ListenAsync(new IPEndPoint(loopback, WeftConstants.InboundPlainPort)).ConfigureAwait(false);
            inboundListeners.Add(plain);
            var tunnel = await sockets.ListenAsync(new IPEndPoint(loopback, WeftConstants.InboundTunnelPort)).ConfigureAwait(false);
            inboundListeners.Add(tunnel);
            return (plain, tunnel);
        }
        catch (SocketException e) when (family == AddressFamily.InterNetworkV6 && e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported)
        {
            // IPv6 disabled in the pod: nothing can reach its IPv6 addresses either. Said aloud,
            // since IPv6 off on lo alone would leave them reachable around the agent.
            LogIpv6Unsteered(ctx.Logger, Pod.Uid, string.Join(", ", Pod.Addresses.Where(a => a.AddressFamily == family)), e.SocketErrorCode);
            return null;
        }
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

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "pod {Pod}: its IPv6 addresses {Addresses} are not steered to the agent: the pod's namespace has no IPv6 loopback to listen on ({Error}). If IPv6 works on its other interfaces, connections to them bypass policy: disable IPv6 in the pod entirely, or enable it on lo")]
    private static partial void LogIpv6Unsteered(ILogger logger, string pod, string addresses, SocketError error);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "pod {Pod}: releasing its capture entries failed: {Error}")]
    private static partial void LogReleaseFailed(ILogger logger, string pod, string error);
}
