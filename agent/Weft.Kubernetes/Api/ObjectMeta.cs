namespace Weft.Kubernetes.Api;

/// <summary>
/// The metadata the agent reads of any object. Everything else the API server sends (managedFields,
/// annotations) is skipped while decoding, so a cluster's worth of pods stays small.
/// </summary>
public sealed class ObjectMeta
{
    public string Name { get; set; } = "";

    /// <summary>Empty for cluster-scoped objects (namespaces).</summary>
    public string Namespace { get; set; } = "";

    public string Uid { get; set; } = "";

    public string? ResourceVersion { get; set; }

    public DateTime? CreationTimestamp { get; set; }

    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>A pod's controller (its ReplicaSet, StatefulSet, Job...) names its workload in metrics.</summary>
    public List<OwnerReference>? OwnerReferences { get; set; }
}

/// <summary>The part of an owner reference the agent reads.</summary>
public sealed class OwnerReference
{
    public string Kind { get; set; } = "";

    public string Name { get; set; } = "";

    public bool? Controller { get; set; }
}

/// <summary>An object with metadata, as every kind the agent watches is.</summary>
public interface IApiObject
{
    ObjectMeta Metadata { get; }
}

/// <summary>A list response: its items and where a watch continues from.</summary>
public sealed class ObjectList<T>
{
    public ListMeta? Metadata { get; set; }

    public List<T>? Items { get; set; }
}

public sealed class ListMeta
{
    public string? ResourceVersion { get; set; }

    public string? Continue { get; set; }
}

/// <summary>The API server's account of a failure (kind Status), in an error response or a watch's ERROR event.</summary>
public sealed class ApiStatus
{
    public int? Code { get; set; }

    public string? Reason { get; set; }

    public string? Message { get; set; }
}
