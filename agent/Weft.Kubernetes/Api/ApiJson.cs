using System.Text.Json.Serialization;

namespace Weft.Kubernetes.Api;

/// <summary>
/// The agent's JSON for the API server: source-generated, for the handful of types it reads (it writes
/// none). Names are the API's camelCase; fields not listed on the types are skipped.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ObjectList<ClusterNamespace>))]
[JsonSerializable(typeof(ObjectList<Pod>))]
[JsonSerializable(typeof(ObjectList<Service>))]
[JsonSerializable(typeof(ObjectList<EndpointSlice>))]
[JsonSerializable(typeof(ApiStatus))]
public sealed partial class ApiJson : JsonSerializerContext;
