namespace Weft.Identity;

/// <summary>A CA refused a request, or returned something that must not be used.</summary>
public sealed class CertificateAuthorityException : Exception
{
    public CertificateAuthorityException()
    {
    }

    public CertificateAuthorityException(string message)
        : base(message)
    {
    }

    public CertificateAuthorityException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
