namespace Weft.Identity;

/// <summary>The outcome of checking a peer: its identity on success, otherwise the reason and a sentence for logs.</summary>
public sealed record PeerVerificationResult(PeerVerificationFailure Failure, SpiffeId PeerId, string Message)
{
    public bool Succeeded => Failure == PeerVerificationFailure.None;

    internal static PeerVerificationResult Ok(SpiffeId id) => new(PeerVerificationFailure.None, id, $"peer is {id}");

    internal static PeerVerificationResult Fail(PeerVerificationFailure failure, string message) => new(failure, default, message);

    /// <summary>The peer's identity, or <see cref="PeerVerificationException"/> with the reason.</summary>
    public SpiffeId GetPeerIdOrThrow() => Succeeded ? PeerId : throw new PeerVerificationException(Failure, Message);
}
