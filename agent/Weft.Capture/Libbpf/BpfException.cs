namespace Weft.Capture.Libbpf;

/// <summary>A libbpf call failed; the message names the object, program or map and the errno.</summary>
public sealed class BpfException : Exception
{
    public BpfException()
    {
    }

    public BpfException(string message)
        : base(message)
    {
    }

    public BpfException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public int Errno { get; init; }

    internal static BpfException FromErrno(string what, int errno)
    {
        errno = Math.Abs(errno);
        var detail = LibbpfLog.Recent();
        var text = $"{what}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
        if (detail.Length > 0)
        {
            text += Environment.NewLine + "libbpf said:" + Environment.NewLine + detail;
        }

        return new BpfException(text) { Errno = errno };
    }
}
