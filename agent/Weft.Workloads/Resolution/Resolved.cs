using System.Net;

namespace Weft.Workloads;

/// <summary>
/// The answer for one original destination. <see cref="Endpoint"/> and <see cref="Workload"/> are
/// set for <see cref="ResolveOutcome.ServiceEndpoint"/> and <see cref="ResolveOutcome.Workload"/>;
/// <see cref="Service"/> is set whenever the destination was a service address.
/// </summary>
public readonly record struct Resolved(ResolveOutcome Outcome, IPEndPoint? Endpoint, Workload? Workload, Service? Service);
