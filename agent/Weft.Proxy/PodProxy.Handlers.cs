using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Weft.Capture.Maps;
using Weft.Proxy.Connections;
using Weft.Proxy.Relay;
using Weft.Proxy.Routing;

namespace Weft.Proxy;

/// <summary>The two kinds of captured connection a pod's proxy serves.</summary>
public sealed partial class PodProxy
{
    private async Task HandleOutboundAsync(Socket client, CancellationToken abort)
    {
        var started = Stopwatch.GetTimestamp();
        var peer = (IPEndPoint?)client.RemoteEndPoint;
        IPEndPoint? source = peer;
        IPEndPoint? original = null;
        Socket? upstream = null;
        var route = default(Route);
        try
        {
            if (peer is null || !ctx.Capture.TryTakeOriginalDestination(NetnsCookie, client.AddressFamily, peer.Port, out original) || original is null)
            {
                Refuse(client, "outbound", peer, null, route, started, "no original destination");
                return;
            }

            // The application's socket sits on loopback after the redirect; report the pod's address.
            source = new IPEndPoint(PodAddress(original.AddressFamily) ?? peer.Address, peer.Port);
            route = ctx.Routes.Resolve(original);
            if (route.Upstream is null)
            {
                Refuse(client, "outbound", source, original, route, started, route.Refusal ?? "refused");
                return;
            }

            upstream = await sockets.UpstreamAsync(route.Upstream.AddressFamily).ConfigureAwait(false);
            var error = await ConnectAsync(upstream, route.Upstream, abort).ConfigureAwait(false);
            if (error is not null)
            {
                Refuse(client, "outbound", source, original, route, started, "connect failed: " + error);
                return;
            }

            var result = await TcpRelay.RunAsync(client, upstream, abort).ConfigureAwait(false);
            Finish("outbound", source, original, route, result, started, result.Error ?? "ok");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Out of descriptors, a released pod, a map error: the client must see a reset, not a clean end.
            Refuse(client, "outbound", source, original, route, started, "error: " + e.Message);
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
        var route = new Route(original, Pod.Uid, "-", null);
        try
        {
            // Only what sk_lookup steered here: a connection made straight to the listener
            // (127.0.0.1:15006 from inside the pod) would have the agent connect to itself forever.
            if (source is null || original is null || !steered.Contains(original.Address) || IsAgentPort(original.Port))
            {
                Refuse(client, "inbound", source, original, route, started, "not a steered destination");
                return;
            }

            // From 127.0.0.6 inside the pod, so sk_lookup lets it reach the application.
            upstream = await sockets.UpstreamAsync(AddressFamily.InterNetwork, new IPEndPoint(WeftConstants.InboundSourceV4, 0)).ConfigureAwait(false);
            var error = await ConnectAsync(upstream, original, abort).ConfigureAwait(false);
            if (error is not null)
            {
                Refuse(client, "inbound", source, original, route, started, "connect failed: " + error);
                return;
            }

            var result = await TcpRelay.RunAsync(client, upstream, abort).ConfigureAwait(false);
            Finish("inbound", source, original, route, result, started, result.Error ?? "ok");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Refuse(client, "inbound", source, original, route, started, "error: " + e.Message);
        }
        finally
        {
            client.Dispose();
            upstream?.Dispose();
        }
    }

    private static bool IsAgentPort(int port) =>
        port is WeftConstants.OutboundPort or WeftConstants.InboundPlainPort or WeftConstants.InboundTunnelPort;

    private void Refuse(Socket client, string direction, IPEndPoint? source, IPEndPoint? original, Route route, long started, string reason)
    {
        Finish(direction, source, original, route, default, started, reason);
        TcpRelay.Reset(client);
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
}
