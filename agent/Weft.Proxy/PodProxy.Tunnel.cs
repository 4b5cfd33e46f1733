using System.Net;
using System.Net.Sockets;
using Weft.Capture.Maps;
using Weft.Policy;
using Weft.Proxy.Connections;
using Weft.Proxy.Routing;
using Weft.Telemetry.Tracing;
using Weft.Tunnel.Hbone;

namespace Weft.Proxy;

/// <summary>The HBONE side of a pod's proxy: tunnels out of the pod, and CONNECT streams into it.</summary>
public sealed partial class PodProxy
{
    private async Task TunnelOutboundAsync(Socket client, ConnectionRecord record, IPEndPoint target, MeshDestination mesh, CancellationToken abort)
    {
        record.Security = ConnectionRecord.MutualTls;
        record.DestinationPrincipal = mesh.Identity.ToString();
        record.Upstream = mesh.Tunnel;
        HboneTunnel tunnel;
        try
        {
            var certificate = await ctx.Certificates.GetAsync(Pod.Identity, abort).ConfigureAwait(false);
            tunnel = await ctx.Tunnels.OpenAsync(
                new HboneDestination
                {
                    SourceKey = tunnelSourceKey,
                    SourceCertificate = certificate,
                    DestinationIdentity = mesh.Identity,
                    TunnelAddress = mesh.Tunnel,
                    Target = target,
                    Source = record.Source,
                    TraceParent = ConnectionTracing.TraceParentOf(record.Activity),
                    Dial = dial,
                },
                abort).ConfigureAwait(false);
        }
        catch (HboneException e)
        {
            record.FailureFlags = e.Failure == HboneFailure.Denied ? "DENY" : "CONNECT";
            Refuse(client, record, $"tunnel {e.Failure}{(e.Status is { } status ? $" ({status})" : "")}: {e.Message}");
            return;
        }
        catch (Weft.Identity.CertificateAuthorityException e)
        {
            Refuse(client, record, "no certificate for " + Pod.Identity + ": " + e.Message);
            return;
        }

        var result = await TunnelRelay.RunAsync(client, tunnel.Stream, abort, record.Opened()).ConfigureAwait(false);
        record.Write(result.Sent, result.Received, result.Error ?? "ok");
    }

    private async ValueTask<Socket> DialTunnelAsync(IPEndPoint tunnel, CancellationToken cancellationToken)
    {
        // From the source pod's namespace: the peer sees the pod's address, as for a direct connection.
        var socket = await sockets.UpstreamAsync(tunnel.AddressFamily).ConfigureAwait(false);
        try
        {
            await socket.ConnectAsync(tunnel, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A checked CONNECT into this pod: authorize on the peer's identity, reach the application, relay.</summary>
    private async Task HandleTunnelStreamAsync(HboneRequest request, CancellationToken abort)
    {
        var record = new ConnectionRecord("inbound", ctx, request.TraceParent)
        {
            Source = request.PeerAddress,
            OriginalDestination = request.Target,
            Upstream = request.Target,
            SourceWorkload = ctx.Routes.WorkloadAt(request.PeerAddress.Address) ?? "-",
            SourcePrincipal = request.Peer.ToString(),
            DestinationWorkload = Pod.Uid,
            DestinationPrincipal = Pod.Identity.ToString(),
            Security = ConnectionRecord.MutualTls,
        };
        Socket? upstream = null;
        LiveConnection? live = null;
        try
        {
            var peer = new PeerIdentity(request.Peer.TrustDomain, request.Peer.Namespace, request.Peer.ServiceAccount);
            var facts = new ConnectionFacts(Pod.Policy, peer, request.PeerAddress.Address, request.Target.Port);
            var decision = Authorize(facts, abort, out live);
            if (!decision.Allowed)
            {
                ctx.HboneMetrics.Refused("server", nameof(HboneFailure.Denied));
                record.FailureFlags = "DENY";
                await request.RejectAsync(401, abort).ConfigureAwait(false);
                record.Write(0, 0, decision.ToString());
                return;
            }

            var target = request.Target.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(request.Target.Address.MapToIPv4(), request.Target.Port) : request.Target;

            upstream = await ApplicationSocketAsync(target).ConfigureAwait(false);
            var error = await ConnectAsync(upstream, target, live!.Token).ConfigureAwait(false);
            if (error is not null)
            {
                // Revoked meanwhile: that is a denial, not an unreachable application.
                var revoked = live.RevokedBy is not null;
                ctx.HboneMetrics.Refused("server", revoked ? nameof(HboneFailure.Denied) : nameof(HboneFailure.Unreachable));
                await request.RejectAsync(revoked ? 401 : 503, abort).ConfigureAwait(false);
                record.Write(0, 0, Outcome(live, "connect failed: " + error));
                return;
            }

            await request.AcceptAsync(abort).ConfigureAwait(false);

            // The stream is the initiator here; the socket is the application being reached.
            var result = await TunnelRelay.RunAsync(upstream, request.Stream, live.Token, record.Opened(), socketIsInitiator: false).ConfigureAwait(false);
            record.Write(result.Sent, result.Received, Outcome(live, result.Error));
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // The client reset the stream (the token follows it) or the connection ended before
            // the relay began: still one access-log line per connection.
            record.Write(0, 0, "cancelled: the stream was reset or its connection ended before the relay");
        }
        catch (Exception e)
        {
            request.Stream.Reset();
            record.Write(0, 0, "error: " + e.Message);
        }
        finally
        {
            live?.Dispose();
            upstream?.Dispose();
        }
    }
}
