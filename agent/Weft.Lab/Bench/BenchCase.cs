using System.Net;

namespace Weft.Lab.Bench;

/// <summary>
/// One way for a client pod to reach a server pod. <see cref="Target"/> maps an application port
/// to where the client connects; <see cref="Overhead"/> are the processes whose CPU and memory are
/// the cost of the path (the agents, the stunnels; none for direct).
/// </summary>
internal sealed record BenchCase(string Name, string Title, LabPod Client, LabPod Server, Func<int, IPEndPoint> Target, Func<IReadOnlyList<int>> Overhead, bool Meshed)
{
    public const string Direct = "direct";
    public const string SameNode = "weft-same-node";
    public const string CrossNode = "weft-cross-node";
    public const string Stunnel = "stunnel";
}
