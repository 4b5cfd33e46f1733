using System.Text.Json;

namespace Weft.Lab.Mesh;

/// <summary>One line of the agent's JSON log (`--log-format json`).</summary>
public sealed record AgentLogEntry(int EventId, string Category, string Level, string Message, IReadOnlyDictionary<string, string> State)
{
    public string this[string key] => State.TryGetValue(key, out var v) ? v : "";

    public static AgentLogEntry? TryParse(string line)
    {
        if (string.IsNullOrEmpty(line) || line[0] != '{')
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var state = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty(nameof(State), out var s) && s.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in s.EnumerateObject())
                {
                    state[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                }
            }

            return new AgentLogEntry(
                root.TryGetProperty(nameof(EventId), out var id) ? id.GetInt32() : 0,
                root.TryGetProperty(nameof(Category), out var c) ? c.GetString() ?? "" : "",
                root.TryGetProperty("LogLevel", out var l) ? l.GetString() ?? "" : "",
                root.TryGetProperty(nameof(Message), out var m) ? m.GetString() ?? "" : "",
                state);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>An access-log line of the agent (event 2000).</summary>
public sealed record AccessRecord(
    string Direction,
    string SourceWorkload,
    string SourceAddress,
    string OriginalDestination,
    string Upstream,
    string DestinationWorkload,
    string DestinationService,
    long BytesSent,
    long BytesReceived,
    string Result,
    string SourcePrincipal = "-",
    string DestinationPrincipal = "-",
    string Security = "-")
{
    public const int EventId = 2000;

    public static AccessRecord From(AgentLogEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(
            e["Direction"], e["SourceWorkload"], e["SourceAddress"], e["OriginalDestination"], e["Upstream"],
            e["DestinationWorkload"], e["DestinationService"],
            long.TryParse(e["BytesSent"], out var s) ? s : -1,
            long.TryParse(e["BytesReceived"], out var r) ? r : -1,
            e["Result"],
            e["SourcePrincipal"],
            e["DestinationPrincipal"],
            e["Security"]);
    }
}
