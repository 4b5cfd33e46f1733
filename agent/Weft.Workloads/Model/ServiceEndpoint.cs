using System.Net;

namespace Weft.Workloads;

/// <summary>
/// One endpoint of a service as Kubernetes lists it (an EndpointSlice entry): the pod behind it,
/// the address to reach it on, and per service port the port on the pod (a named targetPort may
/// resolve differently on each pod).
/// </summary>
public sealed record ServiceEndpoint(Workload Workload, IPAddress Address, IReadOnlyDictionary<int, int> Ports);
