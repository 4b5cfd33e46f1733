namespace Weft.Identity;

/// <summary>Why a peer's certificate was not accepted.</summary>
public enum PeerVerificationFailure
{
    None = 0,

    /// <summary>The peer presented no certificate.</summary>
    NoCertificate,

    /// <summary>The certificate does not chain to a root of the trust bundle (another CA, or a bad signature).</summary>
    UntrustedIssuer,

    /// <summary>The certificate, or a CA certificate above it, has expired.</summary>
    Expired,

    /// <summary>The certificate is not valid yet (or the clocks disagree by more than the issuer's backdate).</summary>
    NotYetValid,

    /// <summary>The chain builds but breaks a rule other than trust or time (constraints, key usage, critical extensions).</summary>
    InvalidChain,

    /// <summary>The peer presented a CA certificate as its own.</summary>
    NotALeaf,

    /// <summary>No URI SAN with a SPIFFE ID.</summary>
    NoSpiffeId,

    /// <summary>More than one URI SAN: an X.509-SVID has exactly one.</summary>
    MultipleUriSans,

    /// <summary>The URI SAN is a spiffe:// URI but not a well-formed workload identity.</summary>
    MalformedSpiffeId,

    /// <summary>The SPIFFE ID belongs to another trust domain.</summary>
    WrongTrustDomain,

    /// <summary>A valid identity of the trust domain, but not one the caller expected.</summary>
    UnexpectedIdentity,
}
