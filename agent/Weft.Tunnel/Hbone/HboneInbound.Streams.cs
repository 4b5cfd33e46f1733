using System.Net;
using Weft.Tunnel.Http2;

namespace Weft.Tunnel.Hbone;

/// <summary>
/// Each stream of an authenticated connection: a CONNECT to an address of this pod goes to the
/// handler; anything else is answered 400. A handler that fails has its stream reset.
/// </summary>
public sealed partial class HboneInbound
{
    private static readonly HeaderField[] BadRequestResponse = [new(":status", "400")];

    private async Task OnStreamAsync(Http2Stream stream, InboundConnection connection)
    {
        if (!connection.TryEnter())
        {
            // Queued just as the connection ended; the HTTP/2 layer resets the stream when we return.
            return;
        }

        IPEndPoint? target = null;

        // The handler stops when the peer resets its stream, not only when the connection ends:
        // a reset stream's work (authorizing, connecting to the application) is wasted.
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(connection.Token, stream.StreamAborted);
        try
        {
            if (!TryCheck(stream.RequestHeaders, out target, out var problem))
            {
                HboneInboundLog.BadRequest(log, stream.Id, connection.Peer, connection.PeerAddress, problem);
                metrics.Refused(Side, nameof(HboneFailure.BadRequest));
                await stream.RespondAsync(BadRequestResponse, endStream: true).ConfigureAwait(false);
                return;
            }

            var request = new HboneRequest(stream, connection.Peer, connection.PeerAddress, target);
            await settings.Handler(request, abort.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Http2Exception || (e is OperationCanceledException && abort.IsCancellationRequested))
        {
            // The peer reset the stream or the connection ended under the handler: expected, not a fault.
            HboneInboundLog.StreamEnded(log, stream.Id, e.Message);
            stream.Reset(Http2ErrorCode.Cancel);
        }
        catch (Exception e)
        {
            HboneInboundLog.HandlerFailed(log, stream.Id, connection.Peer, target ?? new IPEndPoint(IPAddress.None, 0), e);
            stream.Reset(Http2ErrorCode.InternalError);
        }
        finally
        {
            connection.Exit();
        }
    }

    /// <summary>A CONNECT whose :authority is an address of this pod, and that address.</summary>
    private bool TryCheck(IReadOnlyList<HeaderField> headers, out IPEndPoint target, out string problem)
    {
        string? method = null, authority = null;
        foreach (var (name, value) in headers)
        {
            if (name == ":method")
            {
                method = value;
            }
            else if (name == ":authority")
            {
                authority = value;
            }
        }

        target = null!;
        if (method != "CONNECT")
        {
            problem = $"method {method} (only CONNECT is tunnelled)";
            return false;
        }

        if (!HboneAuthority.TryParse(authority, out target, out problem))
        {
            return false;
        }

        if (!settings.IsLocalAddress(target.Address))
        {
            problem = $"{target.Address} is not an address of this pod";
            return false;
        }

        return true;
    }
}
