using System.IO.Pipelines;

namespace Weft.Tunnel.Tests.Infrastructure;

/// <summary>Two ends of an in-memory duplex byte stream (two pipes): no sockets, no TLS.</summary>
internal static class InMemoryDuplex
{
    public static (Stream A, Stream B) Create()
    {
        var ab = new Pipe();
        var ba = new Pipe();
        return (new End(ba.Reader, ab.Writer), new End(ab.Reader, ba.Writer));
    }

    private sealed class End(PipeReader input, PipeWriter output) : Stream
    {
        private readonly Stream reading = input.AsStream();
        private readonly Stream writing = output.AsStream();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => reading.ReadAsync(buffer, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => writing.WriteAsync(buffer, cancellationToken);

        public override Task FlushAsync(CancellationToken cancellationToken) => writing.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => reading.Read(buffer, offset, count);

        public override void Write(byte[] buffer, int offset, int count) => writing.Write(buffer, offset, count);

        public override void Flush() => writing.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // The other end reads EOF; our own pending read ends too, and, as when a socket is
                // disposed, so does a write blocked on a reader that does not read.
                output.CancelPendingFlush();
                input.Complete();
                output.Complete();
            }

            base.Dispose(disposing);
        }
    }
}
