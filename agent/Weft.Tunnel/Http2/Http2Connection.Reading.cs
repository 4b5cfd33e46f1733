using System.Buffers;
using System.IO.Pipelines;
using Weft.Tunnel.Http2.Frames;

namespace Weft.Tunnel.Http2;

/// <summary>
/// The read loop: the preface, then whole frames off a PipeReader (its pooled segments are the
/// only buffer frames sit in before being handled). Frame handling is synchronous and takes
/// the lock briefly; DATA is copied once, into the stream's receive buffer. A protocol error
/// ends the connection with GOAWAY; the loop then discards input until the peer closes or
/// the linger time passes, so the GOAWAY is not lost to a reset.
/// </summary>
public sealed partial class Http2Connection
{
    private PipeReader? reader;
    private long lastReceivedAt = Environment.TickCount64;
    private bool peerSettingsSeen;

    private async Task ReadLoopAsync()
    {
        var input = reader!;
        var prefaceRead = !isServer;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    if (Volatile.Read(ref terminating))
                    {
                        buffer = buffer.Slice(buffer.End);
                    }
                    else
                    {
                        if (!prefaceRead)
                        {
                            prefaceRead = TryReadPreface(ref buffer, result.IsCompleted);
                        }

                        while (prefaceRead && !Volatile.Read(ref terminating)
                            && FrameReader.TryRead(ref buffer, options.MaxFrameSize, out var header, out var payload))
                        {
                            // Liveness counts whole frames, not bytes: a peer that dribbles one
                            // frame's bytes forever meets the PING timeout instead of pinning its buffer.
                            Volatile.Write(ref lastReceivedAt, Environment.TickCount64);
                            ProcessFrame(header, payload);
                        }
                    }
                }
                catch (Http2ConnectionException e)
                {
                    OnProtocolError(e);
                    buffer = buffer.Slice(buffer.End);
                }
                catch (Exception e)
                {
                    // A bug of ours must end this connection only, never the process.
                    OnProtocolError(new Http2ConnectionException(Http2ErrorCode.InternalError, $"internal error: {e.Message}", e));
                    buffer = buffer.Slice(buffer.End);
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    OnEndOfInput();
                    return;
                }
            }
        }
        catch (Exception e)
        {
            OnTransportFailed(e);
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static bool TryReadPreface(ref ReadOnlySequence<byte> buffer, bool completed)
    {
        var have = (int)Math.Min(buffer.Length, ConnectionPreface.Length);
        Span<byte> got = stackalloc byte[ConnectionPreface.Length];
        buffer.Slice(0, have).CopyTo(got);
        if (!got[..have].SequenceEqual(ConnectionPreface.Client[..have]))
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "invalid connection preface");
        }

        if (have < ConnectionPreface.Length)
        {
            return completed ? throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "connection closed inside the preface") : false;
        }

        buffer = buffer.Slice(ConnectionPreface.Length);
        return true;
    }

    private void ProcessFrame(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (headerBlockStreamId != 0 && header.Type != FrameType.Continuation)
        {
            throw Protocol($"{header.Type} frame inside a header block (expected CONTINUATION)");
        }

        if (!peerSettingsSeen && (header.Type != FrameType.Settings || header.Has(FrameFlags.Ack)))
        {
            throw Protocol($"the first frame must be SETTINGS, got {header.Type}");
        }

        switch (header.Type)
        {
            case FrameType.Data:
                OnData(header, payload);
                break;
            case FrameType.Headers:
                OnHeaders(header, payload);
                break;
            case FrameType.Continuation:
                OnContinuation(header, payload);
                break;
            case FrameType.Priority:
                OnPriority(header);
                break;
            case FrameType.RstStream:
                OnRstStream(header, payload);
                break;
            case FrameType.Settings:
                OnSettings(header, payload);
                break;
            case FrameType.PushPromise:
                throw Protocol("PUSH_PROMISE, but push is disabled");
            case FrameType.Ping:
                OnPing(header, payload);
                break;
            case FrameType.GoAway:
                OnGoAway(header, payload);
                break;
            case FrameType.WindowUpdate:
                OnWindowUpdate(header, payload);
                break;
            default:
                // Unknown frame types are ignored (RFC 9113 §4.1), outside header blocks.
                break;
        }
    }

    private static Http2ConnectionException Protocol(string message) => new(Http2ErrorCode.ProtocolError, message);

    private static Http2ConnectionException FrameSize(string message) => new(Http2ErrorCode.FrameSizeError, message);

    /// <summary>The stream a frame is for; null when it is closed and the frame is to be ignored.</summary>
    private Http2Stream? FindStreamLocked(int streamId, FrameType type)
    {
        if (streams.TryGetValue(streamId, out var stream))
        {
            return stream;
        }

        if (IsIdleLocked(streamId))
        {
            throw Protocol($"{type} on idle stream {streamId}");
        }

        // Frames we reset may still be in flight; WINDOW_UPDATE and RST_STREAM may follow a close.
        if (history.WasReset(streamId) || type is FrameType.WindowUpdate or FrameType.RstStream or FrameType.Priority)
        {
            return null;
        }

        throw new Http2ConnectionException(Http2ErrorCode.StreamClosed, $"{type} on closed stream {streamId}");
    }
}
