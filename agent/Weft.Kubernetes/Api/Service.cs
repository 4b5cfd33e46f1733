using System.Text.Json.Serialization;

namespace Weft.Kubernetes.Api;

/// <summary>core/v1 Service, as far as the agent reads it.</summary>
public sealed class Service : IApiObject
{
    public ObjectMeta Metadata { get; set; } = new();

    public ServiceSpec? Spec { get; set; }
}

public sealed class ServiceSpec
{
    public string? Type { get; set; }

    [JsonPropertyName("clusterIP")]
    public string? ClusterIP { get; set; }

    [JsonPropertyName("clusterIPs")]
    public List<string>? ClusterIPs { get; set; }

    public List<ServicePort>? Ports { get; set; }

    public Dictionary<string, string>? Selector { get; set; }
}

public sealed class ServicePort
{
    public string? Name { get; set; }

    public string? Protocol { get; set; }

    public int Port { get; set; }

    /// <summary>A number, or the name of a container port (resolved per endpoint).</summary>
    public IntOrString? TargetPort { get; set; }
}
