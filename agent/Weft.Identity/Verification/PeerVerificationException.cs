namespace Weft.Identity;

/// <summary>A peer certificate was refused.</summary>
public sealed class PeerVerificationException : Exception
{
    public PeerVerificationException()
    {
    }

    public PeerVerificationException(string message)
        : base(message)
    {
    }

    public PeerVerificationException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public PeerVerificationException(PeerVerificationFailure failure, string message)
        : base(message)
    {
        Failure = failure;
    }

    public PeerVerificationFailure Failure { get; }
}
