namespace Weft.Kubernetes.Watch;

/// <summary>The kind-independent face of a <see cref="ResourceLoop{T}"/>, for the cluster watch's bookkeeping.</summary>
internal interface IResourceLoop
{
    string Kind { get; }

    /// <summary>Has completed a list at least once. Read under the cluster watch's gate.</summary>
    bool Listed { get; }

    /// <summary>Changed since the last snapshot was taken. Read under the cluster watch's gate.</summary>
    bool Dirty { get; }

    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Built under the cluster watch's gate.</summary>
    ResourceWatchStatus Status();
}
