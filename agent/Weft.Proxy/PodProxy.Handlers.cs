using System.Net;
using System.Net.Sockets;
using Weft.Capture.Maps;
using Weft.Policy;
using Weft.Proxy.Connections;
using Weft.Proxy.Relay;

namespace Weft.Proxy;

/// <summary>The two kinds of captured connection a pod's proxy serves (the tunnel listener is in PodProxy.Tunnel.cs).</summary>
public sealed partial class PodProxy
{
    private async Task HandleOutboundAsync(Socket client, CancellationToken abort)
    {
        var record = new ConnectionRecord("outbound", ctx) { SourceWorkload = Pod.Uid, SourcePrincipal = Pod.Identity.ToString() };
        var peer = (IPEndPoint?)client.RemoteEndPoint;
        record.Source = peer;
        Socket? upstream = null;
        try
        {
            if (peer is null || !ctx.Capture.TryTakeOriginalDestination(NetnsCookie, peer, out var original) || original is null)
            {
                Refuse(client, record, "no original destination");
                return;
            }

            // The application's socket sits on loopback after the redirect; report the pod's address.
            record.Source = new IPEndPoint(PodAddress(original.AddressFamily) ?? peer.Address, peer.Port);
            record.OriginalDestination = original;
            var route = ctx.Routes.Resolve(original);
            record.Upstream = route.Upstream;
            record.DestinationWorkload = route.DestinationWorkload;
            record.DestinationService = route.DestinationService;
            if (route.Upstream is null)
            {
                Refuse(client, record, route.Refusal ?? "refused");
                return;
            }

            if (route.Mesh is { } mesh)
            {
                // A mesh workload: only through its tunnel, proving both identities.
                await TunnelOutboundAsync(client, record, route.Upstream, mesh, abort).ConfigureAwait(false);
                return;
            }

            upstream = await sockets.UpstreamAsync(route.Upstream.AddressFamily).ConfigureAwait(false);
            var error = await ConnectAsync(upstream, route.Upstream, abort).ConfigureAwait(false);
            if (error is not null)
            {
                Refuse(client, record, "connect failed: " + error);
                return;
            }

            var result = await TcpRelay.RunAsync(client, upstream, abort, record.Opened()).ConfigureAwait(false);
            record.Write(result.Sent, result.Received, result.Error ?? "ok");
        }
        catch (Exception e) when (e is not OperationCanceledException || !abort.IsCancellationRequested)
        {
            // Out of descriptors, a released pod, a map error: the client must see a reset, not a clean end.
            Refuse(client, record, "error: " + e.Message);
        }
        finally
        {
            client.Dispose();
            upstream?.Dispose();
        }
    }

    private async Task HandleInboundAsync(Socket client, CancellationToken abort)
    {
        var source = (IPEndPoint?)client.RemoteEndPoint;
        var original = (IPEndPoint?)client.LocalEndPoint;
        var record = new ConnectionRecord("inbound", ctx)
        {
            Source = source,
            OriginalDestination = original,
            Upstream = original,
            DestinationWorkload = Pod.Uid,
            DestinationPrincipal = Pod.Identity.ToString(),
            SourceWorkload = (source is null ? null : ctx.Routes.WorkloadAt(source.Address)) ?? "-",
        };
        Socket? upstream = null;
        LiveConnection? live = null;
        try
        {
            // Only what sk_lookup steered here: a connection made straight to the listener
            // (127.0.0.1:15006 from inside the pod) would have the agent connect to itself forever.
            if (source is null || original is null || !steered.Contains(original.Address) || IsAgentPort(original.Port))
            {
                Refuse(client, record, "not a steered destination");
                return;
            }

            // Plaintext: no identity, so STRICT mode and principal rules refuse it.
            var facts = new ConnectionFacts(Pod.Policy, null, source.Address, original.Port);
            var decision = Authorize(facts, abort, out live);
            if (!decision.Allowed)
            {
                record.FailureFlags = "DENY";
                Refuse(client, record, decision.ToString());
                return;
            }

            upstream = await ApplicationSocketAsync(original).ConfigureAwait(false);
            var error = await ConnectAsync(upstream, original, live!.Token).ConfigureAwait(false);
            if (error is not null)
            {
                Refuse(client, record, Outcome(live, "connect failed: " + error));
                return;
            }

            var result = await TcpRelay.RunAsync(client, upstream, live.Token, record.Opened()).ConfigureAwait(false);
            record.Write(result.Sent, result.Received, Outcome(live, result.Error));
        }
        catch (Exception e) when (e is not OperationCanceledException || !abort.IsCancellationRequested)
        {
            Refuse(client, record, "error: " + e.Message);
        }
        finally
        {
            live?.Dispose();
            client.Dispose();
            upstream?.Dispose();
        }
    }

    /// <summary>
    /// Evaluates a new inbound connection and, when allowed, registers it for revocation. A policy
    /// swap between evaluating and registering would miss it, so it is judged again by the new set.
    /// </summary>
    private Decision Authorize(in ConnectionFacts facts, CancellationToken abort, out LiveConnection? live)
    {
        var policies = ctx.Authorizer.Policies;
        var decision = policies.Evaluate(facts);
        live = null;
        if (!decision.Allowed)
        {
            ctx.PolicyMetrics.Denied(decision.Reason.ToString());
            return decision;
        }

        live = ctx.Live.Register(facts, abort);
        var now = ctx.Authorizer.Policies;
        if (!ReferenceEquals(now, policies))
        {
            decision = now.Evaluate(facts);
            if (!decision.Allowed)
            {
                ctx.PolicyMetrics.Denied(decision.Reason.ToString());
                live.Dispose();
                live = null;
            }
        }

        return decision;
    }

    /// <summary>
    /// A socket in the pod for reaching its application, from a source sk_lookup lets through
    /// instead of steering back to the agent: 127.0.0.6 for IPv4, the destination address itself for IPv6.
    /// </summary>
    private Task<Socket> ApplicationSocketAsync(IPEndPoint target) =>
        target.AddressFamily == AddressFamily.InterNetwork
            ? sockets.UpstreamAsync(AddressFamily.InterNetwork, new IPEndPoint(WeftConstants.InboundSourceV4, 0))
            : sockets.UpstreamAsync(AddressFamily.InterNetworkV6, new IPEndPoint(target.Address, 0));

    private static string Outcome(LiveConnection live, string? error) =>
        live.RevokedBy is { } reason ? "revoked: " + reason : error ?? "ok";

    private static bool IsAgentPort(int port) =>
        port is WeftConstants.OutboundPort or WeftConstants.InboundPlainPort or WeftConstants.InboundTunnelPort;

    private static void Refuse(Socket client, ConnectionRecord record, string reason)
    {
        record.Write(0, 0, reason);
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
}
