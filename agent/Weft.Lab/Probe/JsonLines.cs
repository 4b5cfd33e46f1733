using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Weft.Lab.Probe;

/// <summary>Writes one JSON object per stdout line; lines from concurrent connections never interleave.</summary>
internal static class JsonLines
{
    private static readonly Lock Gate = new();

    public static void Write<T>(T value, JsonTypeInfo<T> type)
    {
        var line = JsonSerializer.Serialize(value, type);
        lock (Gate)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }
}
