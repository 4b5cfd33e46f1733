namespace Weft.Platform.Netns;

public sealed class NetnsException : Exception
{
    public NetnsException()
    {
    }

    public NetnsException(string message)
        : base(message)
    {
    }

    public NetnsException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
