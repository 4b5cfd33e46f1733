using System.Buffers;
using Weft.Tunnel.Http2.Frames;

namespace Weft.Tunnel.Http2;

/// <summary>
/// Receiving DATA and flow control of what we receive. A DATA frame takes from the windows at
/// once; they reopen (WINDOW_UPDATE) only as the application reads, in steps of a quarter of
/// the window. So a stream never buffers more than its window, and a slow reader stops the
/// sender. Octets the application will never read (padding, data for reset streams) are
/// credited back to the connection straight away.
/// </summary>
public sealed partial class Http2Connection
{
    private long connReceiveWindow;
    private int connUnacked;

    private void OnData(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (header.StreamId == 0)
        {
            throw Protocol("DATA on stream 0");
        }

        var content = FrameReader.Content(header, payload, out var overhead);
        var endStream = header.Has(FrameFlags.EndStream);
        Http2Stream? stream;
        lock (sync)
        {
            connReceiveWindow -= header.Length;
            if (connReceiveWindow < 0)
            {
                throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "DATA beyond the connection window");
            }

            stream = FindStreamLocked(header.StreamId, FrameType.Data);
            if (stream is null || stream.RemoteEnded)
            {
                ReturnConnectionCreditLocked(header.Length);
                if (stream is not null)
                {
                    StreamErrorLocked(stream, Http2ErrorCode.StreamClosed, "DATA after END_STREAM");
                }

                return;
            }

            stream.ReceiveWindow -= header.Length;
            if (stream.ReceiveWindow < 0)
            {
                ReturnConnectionCreditLocked(header.Length);
                StreamErrorLocked(stream, Http2ErrorCode.FlowControlError, "DATA beyond the stream window");
                return;
            }

            if (overhead > 0)
            {
                ReturnConnectionCreditLocked(overhead);
                ReturnStreamCreditLocked(stream, overhead);
            }

            if (endStream)
            {
                MarkRemoteEndedLocked(stream);
            }
        }

        // Outside the connection lock: the copy takes only the stream's own lock. What a waiting
        // reader took directly is consumed already; what an aborted stream dropped is credited back.
        if (!content.IsEmpty)
        {
            var delivered = stream.Received.Append(content);
            if (delivered != 0)
            {
                lock (sync)
                {
                    if (delivered < 0)
                    {
                        ReturnConnectionCreditLocked((int)content.Length);
                    }
                    else
                    {
                        ReturnConnectionCreditLocked(delivered);
                        ReturnStreamCreditLocked(stream, delivered);
                    }
                }
            }
        }

        if (endStream)
        {
            stream.Received.Complete();
        }
    }

    /// <summary>The application read <paramref name="count"/> octets: reopen the windows by that much.</summary>
    internal void OnDataConsumed(Http2Stream stream, int count)
    {
        lock (sync)
        {
            ReturnConnectionCreditLocked(count);
            if (!stream.RemoteEnded)
            {
                ReturnStreamCreditLocked(stream, count);
            }
        }
    }

    private void ReturnConnectionCreditLocked(int count)
    {
        if (terminating)
        {
            return;
        }

        connUnacked += count;
        if (connUnacked >= options.ConnectionWindow / 4)
        {
            FrameWriter.WriteWindowUpdate(pending, 0, connUnacked);
            connReceiveWindow += connUnacked;
            connUnacked = 0;
            writerWake.Set();
        }
    }

    private void ReturnStreamCreditLocked(Http2Stream stream, int count)
    {
        if (terminating || stream.RemoteEnded)
        {
            return;
        }

        stream.ReceiveUnacked += count;
        if (stream.ReceiveUnacked >= options.InitialStreamWindow / 4)
        {
            FrameWriter.WriteWindowUpdate(pending, stream.Id, stream.ReceiveUnacked);
            stream.ReceiveWindow += stream.ReceiveUnacked;
            stream.ReceiveUnacked = 0;
            writerWake.Set();
        }
    }
}
