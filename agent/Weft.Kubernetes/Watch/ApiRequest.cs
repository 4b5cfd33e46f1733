using System.Globalization;
using System.Net.Http;
using System.Text;
using k8s;
using k8s.Autorest;

namespace Weft.Kubernetes.Watch;

/// <summary>
/// GETs against the API server through the client's HttpClient (its TLS settings, client certificate) and
/// credentials (token, exec plugin), for lists and watches alike. Not the client's generated list calls:
/// those decode the body with a synchronous read of the response stream, and the agent runs socket
/// completions inline on the threads that deliver socket readiness, so a body still arriving when the
/// head is in would be waited for on the very thread that has to deliver it, for ever. Here every byte
/// is read asynchronously.
/// </summary>
internal static class ApiRequest
{
    /// <summary>
    /// One page of a list, read whole before it is decoded, and decoded on the thread pool: a large
    /// list must not hold up the socket thread. A refusal throws HttpOperationException with the status.
    /// </summary>
    public static async Task<TList> ListAsync<TList>(IKubernetes client, string path, string? fieldSelector, string? continueToken, int limit, CancellationToken cancellationToken)
    {
        var query = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"?limit={limit}"));
        Append(query, "fieldSelector", fieldSelector);
        Append(query, "continue", continueToken);
        using var response = await SendAsync(client, path, query.ToString(), HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        await using (body.ConfigureAwait(false))
        {
            return KubernetesJson.Deserialize<TList>(body)
                ?? throw new InvalidDataException($"the API server answered the list of {path} with an empty body");
        }
    }

    /// <summary>Opens <paramref name="path"/>?watch from <paramref name="resourceVersion"/>; the caller reads the events.</summary>
    public static Task<HttpResponseMessage> WatchAsync(IKubernetes client, string path, string? fieldSelector, string resourceVersion, int timeoutSeconds, CancellationToken cancellationToken)
    {
        // watch=1, not watch=true: the client's own handler decodes the first line of any request saying watch=true,
        // by reflection the native agent does not have. The API server reads both as true (strconv.ParseBool).
        var query = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"?watch=1&allowWatchBookmarks=true&timeoutSeconds={timeoutSeconds}"));
        Append(query, "resourceVersion", resourceVersion);
        Append(query, "fieldSelector", fieldSelector);

        // HttpClient.Timeout bounds only the wait for the head here (ResponseHeadersRead).
        return SendAsync(client, path, query.ToString(), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private static void Append(StringBuilder query, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            query.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(IKubernetes client, string path, string query, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var k = client as k8s.Kubernetes ?? throw new ArgumentException("a k8s.Kubernetes client is needed", nameof(client));
        var baseUri = k.BaseUri.AbsoluteUri.EndsWith('/') ? k.BaseUri : new Uri(k.BaseUri.AbsoluteUri + "/");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, path.TrimStart('/') + query));
        if (k.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var response = await k.HttpClient.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpOperationException($"GET {path}: HTTP {(int)response.StatusCode} {response.StatusCode}")
            {
                Response = new HttpResponseMessageWrapper(response, body),
            };
        }
    }
}
