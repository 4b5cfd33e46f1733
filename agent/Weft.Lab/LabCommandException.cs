namespace Weft.Lab;

/// <summary>A command the lab ran (ip, nsenter, …) failed; the message names the command and its stderr.</summary>
public sealed class LabCommandException : Exception
{
    public LabCommandException()
    {
    }

    public LabCommandException(string message)
        : base(message)
    {
    }

    public LabCommandException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
