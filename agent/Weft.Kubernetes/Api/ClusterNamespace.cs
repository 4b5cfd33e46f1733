namespace Weft.Kubernetes.Api;

/// <summary>core/v1 Namespace: its labels decide enrolment.</summary>
public sealed class ClusterNamespace : IApiObject
{
    public ObjectMeta Metadata { get; set; } = new();
}
