using System.Net;
using System.Net.Sockets;
using Weft.Platform.Netns;
using Weft.Proxy.Listeners;
using Weft.Tests.Shared;

namespace Weft.Proxy.Tests;

/// <summary>Listening inside a pod's namespace: a failure says which address and which namespace.</summary>
public sealed class PodSocketsTests
{
    [RootFact]
    public async Task A_port_already_taken_names_the_endpoint_and_the_namespace()
    {
        // The agent's own namespace stands in for the pod's: entering it is a real setns.
        using var executor = new NetnsExecutor();
        using var netns = NetworkNamespace.Open("/proc/self/ns/net");
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        var taken = (IPEndPoint)holder.LocalEndPoint!;

        var e = await Assert.ThrowsAsync<IOException>(() => new PodSockets(executor, netns).ListenAsync(taken));

        Assert.Contains(taken.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains("/proc/self/ns/net", e.Message, StringComparison.Ordinal);
        Assert.Equal(SocketError.AddressAlreadyInUse, Assert.IsType<SocketException>(e.InnerException).SocketErrorCode);
    }
}
