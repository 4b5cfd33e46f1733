using k8s;
using k8s.Models;

namespace Weft.Tests.Shared.Kubernetes;

/// <summary>One resource kind the stand-in serves: its wire names, where it lives, how its objects are keyed.</summary>
internal sealed record StandInResource(Type Model, string Plural, string Kind, string ApiVersion, string GroupPath, bool Namespaced)
{
    public static readonly StandInResource Namespaces = new(typeof(V1Namespace), "namespaces", "Namespace", "v1", "/api/v1", Namespaced: false);
    public static readonly StandInResource Pods = new(typeof(V1Pod), "pods", "Pod", "v1", "/api/v1", Namespaced: true);
    public static readonly StandInResource Services = new(typeof(V1Service), "services", "Service", "v1", "/api/v1", Namespaced: true);
    public static readonly StandInResource EndpointSlices = new(typeof(V1EndpointSlice), "endpointslices", "EndpointSlice", "discovery.k8s.io/v1", "/apis/discovery.k8s.io/v1", Namespaced: true);

    public static readonly IReadOnlyList<StandInResource> All = [Namespaces, Pods, Services, EndpointSlices];

    public string ListKind => Kind + "List";

    public static StandInResource For(Type model) =>
        All.FirstOrDefault(r => r.Model == model) ?? throw new ArgumentException($"the stand-in API server does not serve {model.Name}", nameof(model));

    public string Key(string? ns, string name) => Namespaced ? $"{ns}/{name}" : name;

    public string Key(IKubernetesObject<V1ObjectMeta> item) => Key(item.Metadata.NamespaceProperty, item.Metadata.Name);

    /// <summary>
    /// Matches a request path: /api/v1/pods, /api/v1/namespaces/{ns}/pods, /apis/discovery.k8s.io/v1/endpointslices and so on.
    /// Returns the resource and the namespace the request is limited to (null: all).
    /// </summary>
    public static (StandInResource Resource, string? Namespace)? Route(string path)
    {
        foreach (var resource in All)
        {
            if (path == $"{resource.GroupPath}/{resource.Plural}")
            {
                return (resource, null);
            }

            var scoped = $"{resource.GroupPath}/namespaces/";
            if (resource.Namespaced && path.StartsWith(scoped, StringComparison.Ordinal))
            {
                var rest = path[scoped.Length..].Split('/');
                if (rest.Length == 2 && rest[1] == resource.Plural && rest[0].Length > 0)
                {
                    return (resource, rest[0]);
                }
            }
        }

        return null;
    }
}
