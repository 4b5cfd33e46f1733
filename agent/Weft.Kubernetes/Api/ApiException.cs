using System.Net;

namespace Weft.Kubernetes.Api;

/// <summary>
/// The API server said no: a non-2xx answer (<see cref="HttpStatus"/> set), or an ERROR event in a watch
/// (<see cref="HttpStatus"/> null). <see cref="Status"/> is the Status object it sent, when it sent one.
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException()
    {
    }

    public ApiException(string message)
        : base(message)
    {
    }

    public ApiException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ApiException(string message, HttpStatusCode? httpStatus, ApiStatus? status)
        : base(message)
    {
        HttpStatus = httpStatus;
        Status = status;
    }

    public HttpStatusCode? HttpStatus { get; }

    public ApiStatus? Status { get; }
}
