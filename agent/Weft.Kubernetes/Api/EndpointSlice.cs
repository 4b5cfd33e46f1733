namespace Weft.Kubernetes.Api;

/// <summary>discovery.k8s.io/v1 EndpointSlice, as far as the agent reads it.</summary>
public sealed class EndpointSlice : IApiObject
{
    public ObjectMeta Metadata { get; set; } = new();

    public string? AddressType { get; set; }

    public List<Endpoint>? Endpoints { get; set; }

    public List<EndpointPort>? Ports { get; set; }
}

public sealed class Endpoint
{
    public List<string>? Addresses { get; set; }

    public EndpointConditions? Conditions { get; set; }

    public ObjectReference? TargetRef { get; set; }

    public string? NodeName { get; set; }
}

public sealed class EndpointConditions
{
    /// <summary>Unset counts as ready, as the API defines it.</summary>
    public bool? Ready { get; set; }
}

public sealed class ObjectReference
{
    public string? Kind { get; set; }

    public string? Namespace { get; set; }

    public string? Name { get; set; }

    public string? Uid { get; set; }
}

public sealed class EndpointPort
{
    public string? Name { get; set; }

    public string? Protocol { get; set; }

    public int? Port { get; set; }
}
