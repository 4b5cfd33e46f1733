namespace Weft.Kubernetes.Source;

/// <summary>Timing of <see cref="KubernetesWorkloadSource"/>.</summary>
public sealed record KubernetesSourceOptions
{
    /// <summary>
    /// How often this node's pods that have no network namespace yet (still starting) are looked for
    /// again, and known ones checked to be still there.
    /// </summary>
    public TimeSpan NetnsRecheck { get; init; } = TimeSpan.FromSeconds(2);
}
