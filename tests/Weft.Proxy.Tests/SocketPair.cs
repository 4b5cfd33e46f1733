using System.Net;
using System.Net.Sockets;

namespace Weft.Proxy.Tests;

/// <summary>Two connected TCP sockets on loopback.</summary>
internal static class SocketPair
{
    public static async Task<(Socket A, Socket B)> CreateAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var a = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = listener.AcceptAsync();
        await a.ConnectAsync(listener.LocalEndPoint!);
        var b = await accept;
        return (a, b);
    }
}
