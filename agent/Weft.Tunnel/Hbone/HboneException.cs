namespace Weft.Tunnel.Hbone;

/// <summary>An HBONE tunnel could not be opened; <see cref="Failure"/> says which step failed.</summary>
public sealed class HboneException : Exception
{
    public HboneException()
    {
    }

    public HboneException(string message)
        : base(message)
    {
    }

    public HboneException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HboneException(HboneFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    public HboneFailure Failure { get; }

    /// <summary>The server's :status when it answered (400, 401, 503, ...).</summary>
    public int? Status { get; init; }
}
