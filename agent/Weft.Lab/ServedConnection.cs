using System.Text.Json;

namespace Weft.Lab;

/// <summary>A connection `probe serve` handled, as its application saw it.</summary>
public sealed record ServedConnection(string Local, string Remote, long Bytes, string Sha256)
{
    /// <summary>The connections a `probe serve` process has reported so far.</summary>
    public static IReadOnlyList<ServedConnection> Of(LabProcess server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var result = new List<ServedConnection>();
        foreach (var line in server.StdoutLines)
        {
            if (!line.Contains("\"event\":\"conn\"", StringComparison.Ordinal))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            result.Add(new ServedConnection(
                r.GetProperty("local").GetString() ?? "",
                r.GetProperty("remote").GetString() ?? "",
                r.GetProperty("bytes").GetInt64(),
                r.GetProperty("sha256").GetString() ?? ""));
        }

        return result;
    }

    /// <summary>Waits until the server has reported the connection whose data had <paramref name="sha256"/>.</summary>
    public static async Task<ServedConnection> WaitForAsync(LabProcess server, string sha256, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(server);
        await server.WaitForLineAsync(l => l.Contains(sha256, StringComparison.Ordinal) && l.Contains("\"conn\"", StringComparison.Ordinal), timeout).ConfigureAwait(false);
        return Of(server).First(c => c.Sha256 == sha256);
    }
}
