using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Weft.Kubernetes.Watch;

/// <summary>
/// A watch's stream of events, read here rather than by KubernetesClient's watcher: that one decodes
/// each event through a generic wrapper type by reflection, which the native (AOT) agent cannot do.
/// Each event's object is decoded by the client's source-generated JSON context, as lists are.
/// </summary>
internal static class WatchStream
{
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
