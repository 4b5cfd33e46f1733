using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Weft.Tests.Shared.Kubernetes;

/// <summary>The request line of one HTTP/1.1 request, its query decoded. Headers and bodies are not needed: the watch layer only GETs.</summary>
internal sealed record StandInRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query)
{
    public string? this[string name] => Query.TryGetValue(name, out var value) ? value : null;

    public bool Flag(string name) => this[name] is "true" or "1";

    /// <summary>Null when the client closed the connection before sending a whole request head.</summary>
    public static async Task<StandInRequest?> ReadAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var filled = 0;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), ct);
            if (read == 0)
            {
                return null;
            }

            filled += read;
            var end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var requestLine = Encoding.ASCII.GetString(buffer, 0, end).Split("\r\n")[0].Split(' ');
                if (requestLine.Length != 3)
                {
                    throw new InvalidDataException($"not an HTTP request line: {string.Join(' ', requestLine)}");
                }

                var target = requestLine[1];
                var question = target.IndexOf('?', StringComparison.Ordinal);
                var path = question < 0 ? target : target[..question];
                var query = new Dictionary<string, string>(StringComparer.Ordinal);
                if (question >= 0)
                {
                    foreach (var pair in target[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
                    {
                        var eq = pair.IndexOf('=', StringComparison.Ordinal);
                        var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
                        query[name] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
                    }
                }

                return new StandInRequest(requestLine[0], path, query);
            }

            if (filled == buffer.Length)
            {
                throw new InvalidDataException("request head larger than 16 KiB");
            }
        }
    }
}

/// <summary>Writes responses the way kube-apiserver frames them over HTTP/1.1; every response closes its connection.</summary>
internal static class StandInHttp
{
    public static Task WriteJsonAsync(Stream stream, int status, string body, CancellationToken ct) =>
        WriteJsonAsync(stream, status, body, TimeSpan.Zero, ct);

    /// <summary>With a <paramref name="bodyDelay"/>, the head goes out on its own and the body that long after.</summary>
    public static async Task WriteJsonAsync(Stream stream, int status, string body, TimeSpan bodyDelay, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status} {Reason(status)}\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), ct);
        if (bodyDelay > TimeSpan.Zero)
        {
            await stream.FlushAsync(ct);
            await Task.Delay(bodyDelay, ct);
        }

        await stream.WriteAsync(bytes, ct);
        await stream.FlushAsync(ct);
    }

    public static async Task WriteChunkedHeadAsync(Stream stream, CancellationToken ct)
    {
        const string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), ct);
        await stream.FlushAsync(ct);
    }

    /// <summary>One watch event: one JSON document and a newline, in its own chunk, flushed at once.</summary>
    public static async Task WriteChunkAsync(Stream stream, string line, CancellationToken ct)
    {
        var payload = Encoding.UTF8.GetBytes(line + "\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(payload.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), ct);
        await stream.WriteAsync(payload, ct);
        await stream.WriteAsync("\r\n"u8.ToArray(), ct);
        await stream.FlushAsync(ct);
    }

    /// <summary>The zero-length chunk: the server ended the stream on purpose (a timeout), as opposed to a dropped connection.</summary>
    public static async Task WriteLastChunkAsync(Stream stream, CancellationToken ct)
    {
        await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), ct);
        await stream.FlushAsync(ct);
    }

    /// <summary>
    /// A V1Status as kube-apiserver sends it. Built by hand: KubernetesClient's V1Status converter reads but cannot write.
    /// </summary>
    public static string Status(int code, string reason, string message) => new JsonObject
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    }.ToJsonString();

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    };
}
