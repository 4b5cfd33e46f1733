namespace Weft.Telemetry.Admin;

/// <summary>An admin endpoint cannot listen (its port is taken, say); the message is one sentence for the operator.</summary>
public sealed class AdminListenException : Exception
{
    public AdminListenException()
    {
    }

    public AdminListenException(string message)
        : base(message)
    {
    }

    public AdminListenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
