using System.Buffers.Binary;
using System.Net.Sockets;
using Tmds.Linux;

namespace Weft.Platform.Sockets;

/// <summary>Linux socket options the agent needs beyond what System.Net.Sockets exposes.</summary>
public static class SocketOptions
{
    /// <summary>SO_NETNS_COOKIE (Linux 5.14): not in Tmds.LibC.</summary>
    public const int SO_NETNS_COOKIE = 71;

    private const int TcpUserTimeout = 18;

    /// <summary>Marks a socket (SO_MARK) so the capture programs let it pass.</summary>
    public static void SetMark(Socket socket, uint mark)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(value, mark);
        socket.SetRawSocketOption(LibC.SOL_SOCKET, LibC.SO_MARK, value);
    }

    public static uint GetMark(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> value = stackalloc byte[4];
        socket.GetRawSocketOption(LibC.SOL_SOCKET, LibC.SO_MARK, value);
        return BinaryPrimitives.ReadUInt32LittleEndian(value);
    }

    /// <summary>Closes with SO_LINGER 0, so the peer sees a reset rather than a clean end.</summary>
    public static void CloseWithReset(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>
    /// TCP keep-alive: the first probe after <paramref name="idle"/> without traffic, then every
    /// <paramref name="interval"/>; <paramref name="probes"/> unanswered ones drop the connection.
    /// </summary>
    public static void EnableKeepAlive(Socket socket, TimeSpan idle, TimeSpan interval, int probes)
    {
        ArgumentNullException.ThrowIfNull(socket);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, (int)idle.TotalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, (int)interval.TotalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, probes);
    }

    /// <summary>TCP_USER_TIMEOUT: how long sent data may stay unacknowledged before the connection is dropped.</summary>
    public static void SetTcpUserTimeout(Socket socket, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(value, (uint)timeout.TotalMilliseconds);
        socket.SetRawSocketOption(LibC.SOL_TCP, TcpUserTimeout, value);
    }

    /// <summary>The cookie of the network namespace the socket was created in.</summary>
    public static ulong GetNetnsCookie(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> value = stackalloc byte[8];
        var n = socket.GetRawSocketOption(LibC.SOL_SOCKET, SO_NETNS_COOKIE, value);
        if (n != 8)
        {
            throw new SocketException((int)SocketError.OperationNotSupported);
        }

        return BinaryPrimitives.ReadUInt64LittleEndian(value);
    }
}
