using Microsoft.Extensions.Logging;

namespace Weft.Identity;

/// <summary>Every log line of the identity layer (event ids 6000-6099).</summary>
internal static partial class IdentityLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning,
        Message = "embedded CA: generated a new root CA in {Dir} ({Subject}, valid until {NotAfter:u}; key mode 0600). Agents on other nodes trust this node only if they are given the same ca.crt and ca.key")]
    public static partial void GeneratedCa(ILogger logger, string dir, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information,
        Message = "embedded CA: signing with {Subject} from {CertFile}, valid until {NotAfter:u}, root {Root}")]
    public static partial void LoadedCa(ILogger logger, string subject, string certFile, DateTime notAfter, string root);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information,
        Message = "certificate for {Identity} issued: valid until {NotAfter:u}, renewal at {RenewAt:u}")]
    public static partial void CertificateIssued(ILogger logger, SpiffeId identity, DateTimeOffset notAfter, DateTimeOffset renewAt);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning,
        Message = "certificate for {Identity}: attempt {Attempt} failed, retry at {RetryAt:u}; current certificate valid until {ValidUntil}: {Error}")]
    public static partial void IssueFailed(ILogger logger, SpiffeId identity, int attempt, DateTimeOffset retryAt, string validUntil, string error);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Error,
        Message = "certificate for {Identity} expired at {NotAfter:u} and could not be renewed; connections of this identity fail until the CA answers")]
    public static partial void CertificateExpired(ILogger logger, SpiffeId identity, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Debug, Message = "certificate for {Identity} forgotten: no local workload uses it")]
    public static partial void Forgotten(ILogger logger, SpiffeId identity);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Debug, Message = "Istio CA {Address}: requesting a certificate for {Identity}, ttl {Ttl}")]
    public static partial void IstioRequest(ILogger logger, Uri address, SpiffeId identity, TimeSpan ttl);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Error, Message = "a certificate event handler for {Identity} threw")]
    public static partial void EventHandlerFailed(ILogger logger, SpiffeId identity, Exception error);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Debug, Message = "embedded CA: issued {Identity}, serial {Serial}, valid {NotBefore:u} to {NotAfter:u}")]
    public static partial void EmbeddedIssued(ILogger logger, SpiffeId identity, string serial, DateTimeOffset notBefore, DateTimeOffset notAfter);
}
