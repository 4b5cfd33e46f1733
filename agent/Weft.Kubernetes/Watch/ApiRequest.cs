using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Weft.Kubernetes.Api;
using Weft.Kubernetes.Source;

namespace Weft.Kubernetes.Watch;

/// <summary>
/// GETs against the API server through the client's HttpClient (its TLS settings, client certificate) and
/// credentials (token, exec plugin), for lists and watches alike, decoded into the agent's own models.
/// Every byte is read asynchronously: the agent runs socket completions inline on the threads that deliver
/// socket readiness, so a synchronous read of a body still arriving would wait on the very thread that has
/// to deliver it, for ever (KubernetesClient's generated list calls did that, which is why they are gone).
/// </summary>
internal static class ApiRequest
{
    /// <summary>
    /// One page of a list, read whole before it is decoded, and decoded on the thread pool: a large
    /// list must not hold up the socket thread. A refusal throws <see cref="ApiException"/> with the status.
    /// </summary>
    public static async Task<ObjectList<T>> ListAsync<T>(ApiClient client, string path, string? fieldSelector, string? continueToken, int limit,
        JsonTypeInfo<ObjectList<T>> type, CancellationToken cancellationToken)
    {
        var query = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"?limit={limit}"));
        Append(query, "fieldSelector", fieldSelector);
        Append(query, "continue", continueToken);
        using var response = await SendAsync(client, path, query.ToString(), HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        await using (body.ConfigureAwait(false))
        {
            return JsonSerializer.Deserialize(body, type)
                ?? throw new InvalidDataException($"the API server answered the list of {path} with an empty body");
        }
    }

    /// <summary>Opens <paramref name="path"/>?watch from <paramref name="resourceVersion"/>; the caller reads the events.</summary>
    public static Task<HttpResponseMessage> WatchAsync(ApiClient client, string path, string? fieldSelector, string resourceVersion, int timeoutSeconds, CancellationToken cancellationToken)
    {
        var query = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"?watch=true&allowWatchBookmarks=true&timeoutSeconds={timeoutSeconds}"));
        Append(query, "resourceVersion", resourceVersion);
        Append(query, "fieldSelector", fieldSelector);

        // HttpClient.Timeout bounds only the wait for the head here (ResponseHeadersRead): the caller's token
        // carries the watch's own deadline.
        return SendAsync(client, path, query.ToString(), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private static void Append(StringBuilder query, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            query.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(ApiClient client, string path, string query, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, path.TrimStart('/') + query));
        request.Headers.Accept.ParseAdd("application/json");
        if (client.Endpoint.Credentials is { } credentials)
        {
            request.Headers.Authorization = await credentials.HeaderAsync(cancellationToken).ConfigureAwait(false);
        }

        var response = await client.Http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new ApiException($"GET {path}: HTTP {(int)response.StatusCode} {response.StatusCode}", response.StatusCode, ParseStatus(body));
        }
    }

    /// <summary>The Status object of an error answer; null when the body is something else (a proxy's page, nothing).</summary>
    private static ApiStatus? ParseStatus(string body)
    {
        try
        {
            return body.Length == 0 ? null : JsonSerializer.Deserialize(body, ApiJson.Default.ApiStatus);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
