using k8s;
using k8s.Models;

namespace Weft.Kubernetes.Watch;

/// <summary>
/// What the list+watch loop needs to know about one resource kind: how to list a page, how to open a watch,
/// and how objects are keyed in the snapshot.
/// </summary>
internal sealed record ResourceKind<T, TList>(
    string Name,
    Func<IKubernetes, string? /* continue */, int /* limit */, CancellationToken, Task<TList>> ListPage,
    Func<IKubernetes, string /* resourceVersion */, int /* timeoutSeconds */, CancellationToken, Task<HttpResponseMessage>> OpenWatch,
    Func<T, string> Key)
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TList : IItems<T>, IMetadata<V1ListMeta>;

/// <summary>The four kinds the cluster watch holds; pods, services and slices across all namespaces.</summary>
internal static class ResourceKinds
{
    public static ResourceKind<V1Namespace, V1NamespaceList> Namespaces() => new(
        "namespaces",
        (client, next, limit, ct) => ApiRequest.ListAsync<V1NamespaceList>(client, "api/v1/namespaces", null, next, limit, ct),
        (client, rv, timeout, ct) => ApiRequest.WatchAsync(client, "api/v1/namespaces", null, rv, timeout, ct),
        ns => ns.Metadata.Name);

    public static ResourceKind<V1Pod, V1PodList> Pods(string? fieldSelector) => new(
        "pods",
        (client, next, limit, ct) => ApiRequest.ListAsync<V1PodList>(client, "api/v1/pods", fieldSelector, next, limit, ct),
        (client, rv, timeout, ct) => ApiRequest.WatchAsync(client, "api/v1/pods", fieldSelector, rv, timeout, ct),
        NamespacedKey);

    public static ResourceKind<V1Service, V1ServiceList> Services() => new(
        "services",
        (client, next, limit, ct) => ApiRequest.ListAsync<V1ServiceList>(client, "api/v1/services", null, next, limit, ct),
        (client, rv, timeout, ct) => ApiRequest.WatchAsync(client, "api/v1/services", null, rv, timeout, ct),
        NamespacedKey);

    public static ResourceKind<V1EndpointSlice, V1EndpointSliceList> EndpointSlices() => new(
        "endpointslices",
        (client, next, limit, ct) => ApiRequest.ListAsync<V1EndpointSliceList>(client, "apis/discovery.k8s.io/v1/endpointslices", null, next, limit, ct),
        (client, rv, timeout, ct) => ApiRequest.WatchAsync(client, "apis/discovery.k8s.io/v1/endpointslices", null, rv, timeout, ct),
        NamespacedKey);

    private static string NamespacedKey(IKubernetesObject<V1ObjectMeta> obj) => $"{obj.Metadata.NamespaceProperty}/{obj.Metadata.Name}";
}
