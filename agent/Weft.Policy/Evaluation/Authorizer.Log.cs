using System.Net;
using Microsoft.Extensions.Logging;

namespace Weft.Policy;

// Event ids 7000-7099 belong to Weft.Policy. Never reuse or renumber one: log pipelines match on them.
public sealed partial class Authorizer
{
    [LoggerMessage(EventId = 7001, EventName = "PolicySetApplied", Level = LogLevel.Information,
        Message = "authorization policies applied: {Policies} policies, {MtlsPolicies} mtls entries; {Revoked} live connections no longer allowed")]
    private static partial void LogApplied(ILogger logger, int policies, int mtlsPolicies, int revoked);

    [LoggerMessage(EventId = 7002, EventName = "ConnectionRevoked", Level = LogLevel.Information,
        Message = "connection to {Workload} port {Port} from {Source} ({SourceAddress}) no longer allowed: {Decision}")]
    private static partial void LogRevoked(ILogger logger, PolicyWorkload workload, object source, IPAddress sourceAddress, int port, Decision decision);
}
