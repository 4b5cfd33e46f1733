namespace Weft.Platform.Host;

/// <summary>A missing privilege or kernel feature, said in one sentence with its fix.</summary>
public sealed class HostRequirementException : Exception
{
    public HostRequirementException()
    {
    }

    public HostRequirementException(string message)
        : base(message)
    {
    }

    public HostRequirementException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
