namespace Weft.Workloads;

/// <summary>
/// What the config file is for. Standalone, it describes everything: this node, its workloads,
/// namespaces and services. In Kubernetes mode those come from the API server and the node from
/// NODE_NAME, so the file (one ConfigMap for every node) holds only the agent's settings and
/// policies, and sections that would describe the cluster are refused rather than ignored.
/// </summary>
public sealed record ConfigMode
{
    private ConfigMode(string? kubernetesNode) => KubernetesNode = kubernetesNode;

    public static ConfigMode Standalone { get; } = new((string?)null);

    /// <summary>The node this agent runs on, as the API server names it; null when standalone.</summary>
    public string? KubernetesNode { get; }

    public bool IsKubernetes => KubernetesNode is not null;

    /// <exception cref="ArgumentException"><paramref name="node"/> is not a Kubernetes node name.</exception>
    public static ConfigMode Kubernetes(string node)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        if (!ValueSyntax.IsDnsSubdomain(node))
        {
            throw new ArgumentException($"\"{node}\" is not a Kubernetes node name", nameof(node));
        }

        return new(node);
    }
}
