using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Weft.Kubernetes.Api;

namespace Weft.Kubernetes.Watch;

/// <summary>What a watch event says happened to its object.</summary>
internal enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}

/// <summary>A watch's stream of events: one JSON object per line, <c>{"type": ..., "object": {...}}</c>.</summary>
internal static class WatchStream
{
    /// <summary>
    /// The events until the server ends the watch. An ERROR event throws <see cref="ApiException"/> with its
    /// Status; a line that is not an event throws JsonException.
    /// </summary>
    public static async IAsyncEnumerable<(WatchEventType Type, T Item)> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type,
        [EnumeratorCancellation] CancellationToken cancellationToken)
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

                yield return Decode(line, type);
            }
        }
    }

    private static (WatchEventType Type, T Item) Decode<T>(string line, JsonTypeInfo<T> type)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("type", out var kind) || kind.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("a watch event must be {\"type\": ..., \"object\": {...}}");
        }

        var eventType = kind.GetString() switch
        {
            "ADDED" => WatchEventType.Added,
            "MODIFIED" => WatchEventType.Modified,
            "DELETED" => WatchEventType.Deleted,
            "BOOKMARK" => WatchEventType.Bookmark,
            "ERROR" => throw ErrorEvent(obj),
            var other => throw new JsonException($"unknown watch event type '{other}'"),
        };
        return (eventType, obj.Deserialize(type) ?? throw new JsonException("a watch event without its object"));
    }

    private static ApiException ErrorEvent(JsonElement obj)
    {
        var status = obj.Deserialize(ApiJson.Default.ApiStatus);
        return new ApiException($"watch ERROR event: {status?.Code} {status?.Reason}: {status?.Message}", null, status);
    }
}
