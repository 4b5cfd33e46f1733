using System.Net.Http;
using System.Net.Sockets;
using Weft.Platform.Sockets;

namespace Weft.Kubernetes.Source;

/// <summary>
/// Connects to the API server (or the proxy in between) with TCP keep-alive on, so a peer that vanished without a
/// FIN or RST is noticed by the kernel within about a minute, not after the system's default of two hours. The
/// watch deadline is the backstop; this ends a dead watch, and a dead pooled connection, sooner.
/// </summary>
internal static class ApiKeepAlive
{
    /// <summary>Idle time before the first probe.</summary>
    public const int IdleSeconds = 30;

    public const int IntervalSeconds = 10;

    /// <summary>Unanswered probes before the connection is dropped.</summary>
    public const int Probes = 3;

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/>: what the handler does by default, plus keep-alive. TLS still comes after, from the handler.</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            SocketOptions.EnableKeepAlive(socket, TimeSpan.FromSeconds(IdleSeconds), TimeSpan.FromSeconds(IntervalSeconds), Probes);
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
