using System.Text.Json.Serialization.Metadata;
using Weft.Kubernetes.Api;

namespace Weft.Kubernetes.Watch;

/// <summary>
/// What the list+watch loop needs to know about one resource kind: where it is listed and watched, an
/// optional field selector, how its objects and lists decode, and how objects are keyed in the snapshot.
/// </summary>
internal sealed record ResourceKind<T>(
    string Name,
    string Path,
    string? FieldSelector,
    JsonTypeInfo<T> Type,
    JsonTypeInfo<ObjectList<T>> ListType,
    Func<T, string> Key)
    where T : class, IApiObject;

/// <summary>The four kinds the cluster watch holds; pods, services and slices across all namespaces.</summary>
internal static class ResourceKinds
{
    public static ResourceKind<ClusterNamespace> Namespaces() =>
        new("namespaces", "api/v1/namespaces", null, ApiJson.Default.ClusterNamespace, ApiJson.Default.ObjectListClusterNamespace, ns => ns.Metadata.Name);

    public static ResourceKind<Pod> Pods(string? fieldSelector) =>
        new("pods", "api/v1/pods", fieldSelector, ApiJson.Default.Pod, ApiJson.Default.ObjectListPod, NamespacedKey);

    public static ResourceKind<Service> Services() =>
        new("services", "api/v1/services", null, ApiJson.Default.Service, ApiJson.Default.ObjectListService, NamespacedKey);

    public static ResourceKind<EndpointSlice> EndpointSlices() =>
        new("endpointslices", "apis/discovery.k8s.io/v1/endpointslices", null, ApiJson.Default.EndpointSlice, ApiJson.Default.ObjectListEndpointSlice, NamespacedKey);

    private static string NamespacedKey(IApiObject obj) => $"{obj.Metadata.Namespace}/{obj.Metadata.Name}";
}
