using System.Text.Json.Serialization;

namespace Weft.Kubernetes.Api;

/// <summary>core/v1 Pod, as far as the agent reads it.</summary>
public sealed class Pod : IApiObject
{
    public ObjectMeta Metadata { get; set; } = new();

    public PodSpec? Spec { get; set; }

    public PodStatus? Status { get; set; }
}

public sealed class PodSpec
{
    public string? NodeName { get; set; }

    public bool? HostNetwork { get; set; }

    public string? ServiceAccountName { get; set; }
}

public sealed class PodStatus
{
    public string? Phase { get; set; }

    [JsonPropertyName("podIP")]
    public string? PodIP { get; set; }

    [JsonPropertyName("podIPs")]
    public List<PodIP>? PodIPs { get; set; }

    public string? QosClass { get; set; }
}

public sealed class PodIP
{
    public string? Ip { get; set; }
}
