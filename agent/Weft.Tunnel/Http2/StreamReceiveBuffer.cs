using System.Buffers;

namespace Weft.Tunnel.Http2;

/// <summary>
/// The receiving half of a stream: DATA from the read loop, reads from the application. When a
/// read is waiting, DATA is copied straight into the reader's buffer; only what arrives while
/// nobody reads is kept, in a ring of pooled segments. That is never more than the window we
/// advertised (the peer may not send more until the reader consumes), and each segment goes
/// back to the pool (<see cref="ReceiveSegments"/>) as soon as it is drained, so an idle stream holds no buffer at all.
/// </summary>
internal sealed class StreamReceiveBuffer
{
    private readonly Lock gate = new();
    private readonly ReusableValueTaskSource<int> read = new();
    private Segment[] ring = [];
    private int head;
    private int count;
    private int buffered;
    private bool ended;
    private Exception? error;
    private bool readPending;
    private Memory<byte> readBuffer;

    /// <summary>Octets waiting to be read.</summary>
    public int Buffered
    {
        get
        {
            lock (gate)
            {
                return buffered;
            }
        }
    }

    /// <summary>Pooled arrays held right now (0 when idle).</summary>
    public int SegmentsHeld
    {
        get
        {
            lock (gate)
            {
                return count;
            }
        }
    }

    /// <summary>
    /// Reads what is buffered at once (<paramref name="copied"/> octets, which the caller credits
    /// to the windows), or 0 at the end of the stream; otherwise the read waits, and the read
    /// loop delivers into <paramref name="destination"/>. An empty destination waits for data
    /// (or the end) and returns 0 without consuming anything.
    /// </summary>
    public ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken, out int copied)
    {
        copied = 0;
        short token;
        lock (gate)
        {
            if (error is not null)
            {
                return ValueTask.FromException<int>(error);
            }

            if (readPending)
            {
                throw new InvalidOperationException("a read is already pending on this stream");
            }

            if (buffered > 0)
            {
                copied = CopyOut(destination.Span);
                return new ValueTask<int>(copied);
            }

            if (ended)
            {
                return new ValueTask<int>(0);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<int>(cancellationToken);
            }

            readPending = true;
            readBuffer = destination;
            token = read.Reset();
        }

        read.CancelOn(static s => ((StreamReceiveBuffer)s!).CancelRead(), this, cancellationToken);
        return new ValueTask<int>(read, token);
    }

    /// <summary>
    /// Takes received data: the octets handed straight to a waiting reader (consumed: the caller
    /// credits them), or -1 when the stream was aborted and the data dropped.
    /// </summary>
    public int Append(in ReadOnlySequence<byte> data)
    {
        var delivered = 0;
        var complete = false;
        lock (gate)
        {
            if (error is not null)
            {
                return -1;
            }

            var rest = data;
            if (readPending)
            {
                readPending = false;
                complete = true;
                delivered = (int)Math.Min(rest.Length, readBuffer.Length);
                rest.Slice(0, delivered).CopyTo(readBuffer.Span);
                rest = rest.Slice(delivered);
                readBuffer = default;
            }

            Store(rest);
        }

        if (complete)
        {
            // The read loop calls this holding no lock: the reader's next step (the relay's send
            // to the application) runs right here instead of after a thread-pool hop.
            read.SetResultInline(delivered);
        }

        return delivered;
    }

    /// <summary>The peer ended the stream: reads return 0 once the buffer is drained.</summary>
    public void Complete()
    {
        lock (gate)
        {
            ended = true;
            if (!readPending)
            {
                return;
            }

            readPending = false;
            readBuffer = default;
        }

        read.SetResult(0);
    }

    /// <summary>Fails the reader with <paramref name="reason"/>, drops the data; returns the octets dropped.</summary>
    public int Abort(Exception reason)
    {
        int dropped;
        bool wake;
        lock (gate)
        {
            if (error is not null)
            {
                return 0;
            }

            error = reason;
            dropped = buffered;
            buffered = 0;
            for (; count > 0; count--)
            {
                ReceiveSegments.Return(ring[head].Array);
                ring[head] = default;
                head = (head + 1) % ring.Length;
            }

            wake = readPending;
            readPending = false;
            readBuffer = default;
        }

        if (wake)
        {
            read.SetException(reason);
        }

        return dropped;
    }

    private void CancelRead()
    {
        lock (gate)
        {
            if (!readPending)
            {
                return;
            }

            readPending = false;
            readBuffer = default;
        }

        read.SetException(new OperationCanceledException("the read was cancelled"));
    }

    private int CopyOut(Span<byte> destination)
    {
        var copied = 0;
        while (copied < destination.Length && count > 0)
        {
            ref var seg = ref ring[head];
            var n = Math.Min(seg.End - seg.Start, destination.Length - copied);
            seg.Array.AsSpan(seg.Start, n).CopyTo(destination[copied..]);
            seg.Start += n;
            copied += n;
            if (seg.Start == seg.End)
            {
                ReceiveSegments.Return(seg.Array);
                seg = default;
                head = (head + 1) % ring.Length;
                count--;
            }
        }

        buffered -= copied;
        return copied;
    }

    private void Store(ReadOnlySequence<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (count == 0 || ring[(head + count - 1) % ring.Length].Free == 0)
            {
                AddSegment(buffered + data.Length);
            }

            ref var tail = ref ring[(head + count - 1) % ring.Length];
            var n = (int)Math.Min(data.Length, tail.Free);
            data.Slice(0, n).CopyTo(tail.Array.AsSpan(tail.End));
            tail.End += n;
            buffered += n;
            data = data.Slice(n);
        }
    }

    private void AddSegment(long bufferedAfter)
    {
        if (count == ring.Length)
        {
            // The ring itself grows rarely: it ends up sized for the window, then stays.
            var bigger = new Segment[Math.Max(4, ring.Length * 2)];
            for (var i = 0; i < count; i++)
            {
                bigger[i] = ring[(head + i) % ring.Length];
            }

            ring = bigger;
            head = 0;
        }

        ring[(head + count) % ring.Length] = new Segment(ReceiveSegments.Rent((int)Math.Min(bufferedAfter, int.MaxValue)));
        count++;
    }

    private struct Segment(byte[] array)
    {
        public byte[] Array = array;
        public int Start;
        public int End;

        public readonly int Free => Array.Length - End;
    }
}
