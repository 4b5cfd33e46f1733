using System.Net;

namespace Weft.Workloads;

/// <summary>
/// The endpoints of one service port for one address family, handed out round-robin. The
/// endpoints are built once per config so that picking one allocates nothing.
/// </summary>
internal sealed class EndpointRing(IPEndPoint[] endpoints, Workload[] workloads)
{
    private int next = -1;

    public bool IsEmpty => endpoints.Length == 0;

    public (IPEndPoint Endpoint, Workload Workload) Pick()
    {
        // Unsigned so the counter wrapping past int.MaxValue keeps cycling instead of going negative.
        var i = (int)((uint)Interlocked.Increment(ref next) % (uint)endpoints.Length);
        return (endpoints[i], workloads[i]);
    }
}
