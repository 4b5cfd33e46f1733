namespace Weft.Tests.Shared.Kubernetes;

/// <summary>How the stand-in tells a watch that its resourceVersion is too old.</summary>
internal enum GoneForm
{
    /// <summary>200, then one ERROR event carrying a V1Status code 410 reason Expired, then the end of the stream: what kube-apiserver does.</summary>
    InStreamError,

    /// <summary>An HTTP 410 answer to the watch request itself, with a V1Status body.</summary>
    HttpStatus,
}
