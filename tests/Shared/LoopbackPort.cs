using System.Net;
using System.Net.Sockets;

namespace Weft.Tests.Shared;

/// <summary>Free TCP ports on 127.0.0.1, for servers (HttpListener, Prometheus) that cannot take port 0 themselves.</summary>
internal static class LoopbackPort
{
    /// <summary>A port the kernel just handed out and we released; another process could take it meanwhile, which is unlikely enough.</summary>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Holds a loopback port, as another process listening there would.</summary>
    public static TcpListener Occupy()
    {
        var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        return holder;
    }

    public static bool CanBind(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>An HTTP client that talks to loopback directly, whatever proxy the environment names.</summary>
    public static HttpClient Client() =>
        new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
}
