using System.Collections.Frozen;
using System.Net;

namespace Weft.Workloads;

/// <summary>A pod: its identity, its addresses and (on its node) its network namespace.</summary>
public sealed record Workload
{
    public const string DefaultServiceAccount = "default";

    /// <summary>Unique key of the workload (a pod UID, or any stable string such as namespace/name).</summary>
    public required string Uid { get; init; }

    public required string Name { get; init; }

    /// <summary>
    /// The workload the pod belongs to, as Istio names it in metrics (source_workload): its
    /// Deployment, StatefulSet, DaemonSet, Job or CronJob. Null for a bare pod, whose own name is used.
    /// </summary>
    public string? Controller { get; init; }

    public required string Namespace { get; init; }

    public string ServiceAccount { get; init; } = DefaultServiceAccount;

    public IReadOnlyDictionary<string, string> Labels { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>IPv4 and/or IPv6 addresses, never empty.</summary>
    public required IReadOnlyList<IPAddress> Addresses { get; init; }

    /// <summary>
    /// Absolute path of the network namespace, e.g. /var/run/netns/web-1. Required for the
    /// config's own node (whose pods the agent enters); null for workloads on other nodes.
    /// </summary>
    public string? Netns { get; init; }

    /// <summary>The node the workload runs on.</summary>
    public required string Node { get; init; }

    /// <summary>namespace/name, the form logs use.</summary>
    public override string ToString() => $"{Namespace}/{Name}";
}
