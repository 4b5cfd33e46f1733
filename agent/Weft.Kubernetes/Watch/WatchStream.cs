using System.Globalization;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Weft.Kubernetes.Watch;

/// <summary>
/// A watch request and its stream of events, read here rather than by KubernetesClient's watcher:
/// that one decodes each event through a generic wrapper type by reflection, which the native
/// (AOT) agent cannot do, and so does the handler in the client's HttpClient for any request
/// whose query says <c>watch=true</c> (it decodes the first line). So the request goes through the
/// client's HttpClient (its TLS settings, client certificate) and credentials (token, exec plugin)
/// saying <c>watch=1</c>, which the API server reads as true (strconv.ParseBool) and that handler
/// leaves alone; each event's object is decoded by the client's source-generated JSON context, as
/// list responses are.
/// </summary>
internal static class WatchStream
{
    /// <summary>Opens <paramref name="path"/>?watch; a refusal throws HttpOperationException with the status, as the client's calls do.</summary>
    public static async Task<HttpResponseMessage> OpenAsync(IKubernetes client, string path, string? fieldSelector, string resourceVersion, int timeoutSeconds, CancellationToken cancellationToken)
    {
        var k = client as k8s.Kubernetes ?? throw new ArgumentException("a k8s.Kubernetes client is needed to open a watch", nameof(client));
        var query = string.Create(CultureInfo.InvariantCulture, $"?watch=1&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}&timeoutSeconds={timeoutSeconds}")
            + (fieldSelector is null ? "" : $"&fieldSelector={Uri.EscapeDataString(fieldSelector)}");
        var baseUri = k.BaseUri.AbsoluteUri.EndsWith('/') ? k.BaseUri : new Uri(k.BaseUri.AbsoluteUri + "/");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, path.TrimStart('/') + query));
        if (k.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        // HttpClient.Timeout bounds only the wait for the headers here (ResponseHeadersRead).
        var response = await k.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpOperationException($"watch {path}: HTTP {(int)response.StatusCode} {response.StatusCode}")
            {
                Response = new HttpResponseMessageWrapper(response, body),
            };
        }
    }

    /// <summary>
    /// The events, one JSON object per line, until the server ends the watch. An ERROR event throws
    /// KubernetesException with its Status; a line that is not an event throws JsonException.
    /// </summary>
    public static async IAsyncEnumerable<(WatchEventType Type, T Item)> ReadAsync<T>(HttpResponseMessage response, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                var (type, json) = Split(line);
                if (type == WatchEventType.Error)
                {
                    throw new KubernetesException(KubernetesJson.Deserialize<V1Status>(json));
                }

                yield return (type, KubernetesJson.Deserialize<T>(json) ?? throw new JsonException("a watch event without its object"));
            }
        }
    }

    private static (WatchEventType Type, string Object) Split(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("a watch event must be {\"type\": ..., \"object\": {...}}");
        }

        var kind = type.GetString() switch
        {
            "ADDED" => WatchEventType.Added,
            "MODIFIED" => WatchEventType.Modified,
            "DELETED" => WatchEventType.Deleted,
            "BOOKMARK" => WatchEventType.Bookmark,
            "ERROR" => WatchEventType.Error,
            var other => throw new JsonException($"unknown watch event type '{other}'"),
        };
        return (kind, obj.GetRawText());
    }
}
