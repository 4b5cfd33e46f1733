using System.Net;
using System.Net.Sockets;
using Weft.Capture.Maps;
using Weft.Platform.Netns;
using Weft.Platform.Sockets;

namespace Weft.Proxy.Listeners;

/// <summary>Creates the sockets the proxy uses inside a pod's network namespace.</summary>
public sealed class PodSockets(NetnsExecutor executor, NetworkNamespace netns)
{
    public NetworkNamespace Netns { get; } = netns;

    public Task<Socket> ListenAsync(IPEndPoint endpoint, int backlog = 1024) =>
        executor.RunAsync(Netns, () =>
        {
            var s = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    s.DualMode = false;
                }

                s.Bind(endpoint);
                s.Listen(backlog);
                return s;
            }
            catch (SocketException e) when (e.SocketErrorCode is not (SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported))
            {
                // "Address already in use" alone does not say where: most often something in the
                // pod (a leftover sidecar) holds one of the agent's ports.
                s.Dispose();
                throw new IOException($"cannot listen on {endpoint} in the pod's network namespace {Netns}: {e.Message}", e);
            }
            catch
            {
                s.Dispose();
                throw;
            }
        });

    /// <summary>A socket for the agent's own upstream connection, marked so it is not captured again.</summary>
    public Task<Socket> UpstreamAsync(AddressFamily family, IPEndPoint? bindTo = null) =>
        executor.RunAsync(Netns, () =>
        {
            var s = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                Tune(s);
                SocketOptions.SetMark(s, WeftConstants.Mark);
                if (bindTo is not null)
                {
                    s.Bind(bindTo);
                }

                return s;
            }
            catch
            {
                s.Dispose();
                throw;
            }
        });

    /// <summary>
    /// Options for every proxied socket: no Nagle delay (the application chose its writes), and
    /// keepalive plus TCP_USER_TIMEOUT so a peer that vanished (a deleted pod) does not pin a
    /// relay, its buffers and its namespace for the kernel's 15-minute retransmission limit.
    /// </summary>
    public static void Tune(Socket s)
    {
        ArgumentNullException.ThrowIfNull(s);
        s.NoDelay = true;
        SocketOptions.EnableKeepAlive(s, idle: TimeSpan.FromSeconds(60), interval: TimeSpan.FromSeconds(10), probes: 3);
        SocketOptions.SetTcpUserTimeout(s, TimeSpan.FromSeconds(90));
    }

    /// <summary>The namespace's cookie, as the eBPF programs see it.</summary>
    public Task<ulong> CookieAsync() =>
        executor.RunAsync(Netns, () =>
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            return SocketOptions.GetNetnsCookie(s);
        });
}
