namespace Weft.Platform.Transfer;

/// <summary>
/// Bytes moved by one relayed connection so far, readable while it runs (metrics report long
/// connections as they go, not only at close). Each direction has one writer; readers may be
/// on any thread.
/// </summary>
public sealed class TransferCounts
{
    private long sent;
    private long received;

    /// <summary>Bytes from the connection's initiator towards its destination.</summary>
    public long Sent => Volatile.Read(ref sent);

    /// <summary>Bytes from the destination back to the initiator.</summary>
    public long Received => Volatile.Read(ref received);

    public void AddSent(int bytes) => Volatile.Write(ref sent, sent + bytes);

    public void AddReceived(int bytes) => Volatile.Write(ref received, received + bytes);
}
