using System.Net;

namespace Weft.Workloads;

/// <summary>Destinations the capture programs leave alone (node-level, applies to every enrolled workload).</summary>
public sealed record CaptureSettings
{
    public static CaptureSettings None { get; } = new();

    /// <summary>Destination ports never captured (e.g. 22, so SSH keeps working if the proxy is down).</summary>
    public IReadOnlyList<int> ExcludePorts { get; init; } = [];

    /// <summary>Destination networks never captured (e.g. the link-local metadata service).</summary>
    public IReadOnlyList<IPNetwork> ExcludeCidrs { get; init; } = [];
}
