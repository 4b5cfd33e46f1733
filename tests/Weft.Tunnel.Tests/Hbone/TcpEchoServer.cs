using System.Net.Sockets;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>An application in the pod: a TCP echo server on 127.0.0.1 that half-closes after its client does.</summary>
internal sealed class TcpEchoServer : LoopbackTcpServer
{
    public TcpEchoServer() => Start();

    protected override async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        // Echoes until its client is done, even while the server is being disposed.
        using (socket)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                int n;
                while ((n = await socket.ReceiveAsync(buffer, CancellationToken.None)) > 0)
                {
                    await socket.SendAsync(buffer.AsMemory(0, n), CancellationToken.None);
                }

                socket.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
                // The tunnel was reset: so is this connection.
            }
        }
    }
}
