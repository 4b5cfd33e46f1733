using System.Net;
using System.Text;

namespace Weft.Telemetry.Admin;

/// <summary>A whole response for the simple routes: status, content type and a text body (sent as UTF-8, with its length).</summary>
public sealed record AdminResponse(int StatusCode, string ContentType, string Body)
{
    public const string PlainText = "text/plain; charset=utf-8";

    public static AdminResponse Text(int statusCode, string body) => new(statusCode, PlainText, body);

    internal async Task WriteAsync(HttpListenerResponse response, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(Body);
        response.StatusCode = StatusCode;
        response.ContentType = ContentType;
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }
}
