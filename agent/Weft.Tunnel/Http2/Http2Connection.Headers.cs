using System.Buffers;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Http2.Hpack;

namespace Weft.Tunnel.Http2;

/// <summary>
/// Receiving header blocks: HEADERS plus CONTINUATION gathered into one buffer, decoded by the
/// one HPACK decoder (every block, even of a refused stream, to keep its table in step), then
/// opening a stream (server), delivering a response (client), or ending a stream (trailers).
/// </summary>
public sealed partial class Http2Connection
{
    private FrameBuffer? headerBlock;
    private int headerBlockStreamId;
    private bool headerBlockEndStream;

    private void OnHeaders(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (header.StreamId == 0)
        {
            throw Protocol("HEADERS on stream 0");
        }

        var fragment = FrameReader.Content(header, payload, out _);
        headerBlock ??= new FrameBuffer();
        headerBlockStreamId = header.StreamId;
        headerBlockEndStream = header.Has(FrameFlags.EndStream);
        AppendHeaderFragment(fragment);
        if (header.Has(FrameFlags.EndHeaders))
        {
            CompleteHeaderBlock();
        }
    }

    private void OnContinuation(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (headerBlockStreamId == 0)
        {
            throw Protocol("CONTINUATION without a HEADERS frame before it");
        }

        if (header.StreamId != headerBlockStreamId)
        {
            throw Protocol($"CONTINUATION on stream {header.StreamId} inside the header block of stream {headerBlockStreamId}");
        }

        AppendHeaderFragment(payload);
        if (header.Has(FrameFlags.EndHeaders))
        {
            CompleteHeaderBlock();
        }
    }

    private void AppendHeaderFragment(in ReadOnlySequence<byte> fragment)
    {
        // A block this big cannot decode within MaxHeaderListSize by any sane encoding: stop
        // gathering before it can grow without bound (a CONTINUATION flood).
        if (headerBlock!.WrittenCount + fragment.Length > 2L * options.MaxHeaderListSize)
        {
            throw Protocol($"header block exceeds {2 * options.MaxHeaderListSize} octets");
        }

        var span = headerBlock.GetSpan((int)fragment.Length);
        fragment.CopyTo(span);
        headerBlock.Advance((int)fragment.Length);
    }

    private void CompleteHeaderBlock()
    {
        var streamId = headerBlockStreamId;
        headerBlockStreamId = 0;
        var fields = new List<HeaderField>();
        try
        {
            decoder.Decode(headerBlock!.WrittenSpan, fields);
        }
        catch (HpackHeaderListTooLargeException e)
        {
            throw Protocol(e.Message);
        }
        catch (HpackException e)
        {
            throw new Http2ConnectionException(Http2ErrorCode.CompressionError, $"HPACK: {e.Message}");
        }
        finally
        {
            // Header blocks are rare next to DATA: hold no buffer between them.
            headerBlock!.Dispose();
        }

        if (IsPeerInitiated(streamId))
        {
            OnPeerStreamHeaders(streamId, fields, headerBlockEndStream);
        }
        else
        {
            OnLocalStreamHeaders(streamId, fields, headerBlockEndStream);
        }
    }

    /// <summary>Server: a request opening a stream, or trailers on one.</summary>
    private void OnPeerStreamHeaders(int streamId, List<HeaderField> fields, bool endStream)
    {
        if (!isServer)
        {
            throw Protocol($"HEADERS opening stream {streamId}: a server may not open streams");
        }

        Http2Stream? accepted = null;
        bool startNow;
        lock (sync)
        {
            if (streams.TryGetValue(streamId, out var existing))
            {
                OnTrailersLocked(existing, fields, endStream);
                return;
            }

            if (streamId <= lastPeerStreamId)
            {
                if (history.WasSkipped(streamId))
                {
                    throw Protocol($"stream id {streamId} goes backwards (after {lastPeerStreamId})");
                }

                if (history.WasReset(streamId))
                {
                    return;
                }

                throw new Http2ConnectionException(Http2ErrorCode.StreamClosed, $"HEADERS on closed stream {streamId}");
            }

            history.Opened(lastPeerStreamId == 0 ? -1 : lastPeerStreamId, streamId);
            lastPeerStreamId = streamId;
            if (terminating)
            {
                return;
            }

            if (goAwaySent)
            {
                RefuseLocked(streamId, Http2ErrorCode.RefusedStream, "going away");
                return;
            }

            if (peerActive >= options.MaxConcurrentStreams)
            {
                RefuseLocked(streamId, Http2ErrorCode.RefusedStream, $"{peerActive} streams open, the most allowed");
                return;
            }

            if (HeaderRules.Check(fields, HeaderKind.Request) is { } problem)
            {
                RefuseLocked(streamId, Http2ErrorCode.ProtocolError, $"malformed request: {problem}");
                return;
            }

            accepted = new Http2Stream(this, streamId, fields, peerInitialWindow, options.InitialStreamWindow);
            streams.Add(streamId, accepted);
            peerActive++;
            if (endStream)
            {
                accepted.RemoteEnded = true;
                accepted.Received.Complete();
            }

            startNow = TryReserveHandlerLocked(accepted);
        }

        if (startNow)
        {
            StartHandler(accepted);
        }
    }

    /// <summary>Client: the response to a stream we opened, or trailers on it.</summary>
    private void OnLocalStreamHeaders(int streamId, List<HeaderField> fields, bool endStream)
    {
        lock (sync)
        {
            var stream = FindStreamLocked(streamId, FrameType.Headers);
            if (stream is null)
            {
                return;
            }

            if (stream.ResponseReceived)
            {
                OnTrailersLocked(stream, fields, endStream);
                return;
            }

            if (HeaderRules.Check(fields, HeaderKind.Response) is { } problem)
            {
                StreamErrorLocked(stream, Http2ErrorCode.ProtocolError, $"malformed response: {problem}");
                return;
            }

            if (fields[0].Value[0] == '1')
            {
                // Informational (1xx): the real response follows.
                if (endStream)
                {
                    StreamErrorLocked(stream, Http2ErrorCode.ProtocolError, "1xx response with END_STREAM");
                }

                return;
            }

            stream.ResponseReceived = true;
            stream.SetResponse(fields);
            if (endStream)
            {
                MarkRemoteEndedLocked(stream);
                stream.Received.Complete();
            }
        }
    }

    private void OnTrailersLocked(Http2Stream stream, List<HeaderField> fields, bool endStream)
    {
        if (stream.RemoteEnded)
        {
            StreamErrorLocked(stream, Http2ErrorCode.StreamClosed, "HEADERS after END_STREAM");
            return;
        }

        if (!endStream || HeaderRules.Check(fields, HeaderKind.Trailers) is not null)
        {
            StreamErrorLocked(stream, Http2ErrorCode.ProtocolError, "second HEADERS is not valid trailers");
            return;
        }

        MarkRemoteEndedLocked(stream);
        stream.Received.Complete();
    }

    private async Task RunHandlerAsync(Http2Stream stream)
    {
        Exception? error = null;
        try
        {
            await onStream!(stream).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            error = e;
            if (e is not (Http2Exception or OperationCanceledException))
            {
                Http2Log.HandlerFailed(log, stream.Id, e);
            }
        }

        lock (sync)
        {
            // Whatever the handler left open is abandoned: reset it, and drop unread data. Nobody
            // listens to its abort token any more, so the reset need not cancel it.
            stream.AbortSource = null;
            var code = error is not null ? Http2ErrorCode.InternalError : stream.LocalEnded ? Http2ErrorCode.NoError : Http2ErrorCode.Cancel;
            ResetLocked(stream, code, sendRst: true, new Http2StreamException(code, "the stream's handler has finished"));
            ReleaseHandlerLocked();
        }
    }
}
