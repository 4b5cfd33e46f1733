using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Weft.Kubernetes.Api;

namespace Weft.Kubernetes.Watch;

internal enum FailureKind
{
    /// <summary>The server no longer has the history we would resume from (410 Gone / Expired), or the stream lost an event: only a re-list gives a correct store.</summary>
    MustRelist,

    /// <summary>Connection refused or lost, 5xx, timeouts: keep the store, retry with backoff.</summary>
    Transient,
}

/// <summary>
/// Sorts the many ways a request reports trouble: ApiException for a non-2xx answer (410 on the watch request
/// itself) or an in-stream ERROR event (its Status), HttpRequestException and IOException from the transport. The
/// description names the state without per-attempt details, so that a repeated failure compares equal and is
/// logged once.
/// </summary>
internal readonly record struct WatchFailure(FailureKind Kind, string Description)
{
    public static WatchFailure Classify(Exception exception)
    {
        switch (exception)
        {
            case ApiException { HttpStatus: HttpStatusCode.Gone }:
                return new(FailureKind.MustRelist, "HTTP 410 Gone");
            case ApiException { HttpStatus: { } code }:
                return new(FailureKind.Transient, $"HTTP {(int)code} {code}");
            case ApiException { Status: { } status } when IsExpired(status.Code, status.Reason):
                return new(FailureKind.MustRelist, $"ERROR event {status.Code} {status.Reason}");
            case ApiException { Status: { } status }:
                return new(FailureKind.Transient, $"ERROR event {status.Code} {status.Reason}");
            case ApiException:
                return new(FailureKind.Transient, "ERROR event without a status");
            case JsonException or InvalidDataException:
                // An event we cannot read is an event we missed; only a fresh list is sure to be right again.
                return new(FailureKind.MustRelist, "undecodable watch event");
            case HttpRequestException { InnerException: SocketException socket }:
                return new(FailureKind.Transient, $"unreachable: {socket.SocketErrorCode}");
            case HttpRequestException request:
                return new(FailureKind.Transient, $"request failed: {request.HttpRequestError}");
            case HttpIOException io:
                return new(FailureKind.Transient, $"connection lost: {io.HttpRequestError}");
            case IOException:
                return new(FailureKind.Transient, "connection lost");
            case TimeoutException or TaskCanceledException:
                return new(FailureKind.Transient, "timed out");
            default:
                return new(FailureKind.Transient, exception.GetType().Name);
        }
    }

    public static bool IsExpired(int? code, string? reason) =>
        code == 410 || reason is "Expired" or "Gone";
}
