using System.IO.Compression;
using System.Net;
using Google.Protobuf;

namespace Weft.Tests.Shared.Otlp;

/// <summary>
/// A minimal OTLP/HTTP receiver on 127.0.0.1 (HttpListener, HTTP/1.1): takes POST v1/traces and
/// v1/metrics under its base path with application/x-protobuf bodies (sized or chunked, gzip or
/// not; the .NET exporter sends sized, plain ones), answers 200 with an empty body (an empty
/// Export*ServiceResponse), and keeps the decoded spans and metric names.
/// Anything else gets a 4xx and is kept in <see cref="OtlpCollector.Requests"/>, so a failing wait can say why.
/// OTLP/gRPC, which needs an HTTP/2 server, is <see cref="OtlpGrpcReceiver"/>'s.
/// </summary>
internal sealed class OtlpReceiver : OtlpCollector
{
    public const string ProtobufContentType = "application/x-protobuf";

    private readonly HttpListener _listener;
    private readonly Task _loop;

    private OtlpReceiver(HttpListener listener, int port, string basePath)
    {
        _listener = listener;
        Endpoint = new Uri($"http://127.0.0.1:{port}{basePath.TrimEnd('/')}");
        TracesPath = basePath + "v1/traces";
        MetricsPath = basePath + "v1/metrics";
        _loop = Task.Run(AcceptAsync);
    }

    /// <summary>The collector's base URL, without a trailing slash: the exporter adds v1/traces and v1/metrics under its path.</summary>
    public override Uri Endpoint { get; }

    public override string TracesPath { get; }

    public override string MetricsPath { get; }

    public override bool Accepted(string request) => request.EndsWith("-> 200", StringComparison.Ordinal);

    /// <summary>Starts a receiver whose signals live under <paramref name="basePath"/> ("/" or e.g. "/otlp/").</summary>
    public static OtlpReceiver Start(string basePath = "/")
    {
        if (!basePath.StartsWith('/') || !basePath.EndsWith('/'))
        {
            throw new ArgumentException($"a base path starts and ends with '/', not {basePath}", nameof(basePath));
        }

        // The whole port, not just the base path, so a request to a wrong path is answered (404) and kept.
        // HttpListener cannot take port 0; another process may win the free port in between, so retry.
        for (var attempt = 1; ; attempt++)
        {
            var port = LoopbackPort.Free();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new OtlpReceiver(listener, port, basePath);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _loop.ConfigureAwait(false);
        _listener.Close();
    }

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            // Concurrently: two agents export metrics every second, and a trace export must not queue behind them.
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url?.AbsolutePath ?? "";
        var framing = request.ContentLength64 >= 0 ? $"length {request.ContentLength64}" : "chunked";
        int status;
        try
        {
            status = await ReceiveAsync(request, path).ConfigureAwait(false);
        }
        catch (InvalidProtocolBufferException e)
        {
            status = 400;
            framing += $" (undecodable: {e.Message})";
        }

        AddRequest($"{request.HttpMethod} {path} {request.ContentType} {request.Headers["Content-Encoding"] ?? "identity"} {framing} -> {status}");

        var response = context.Response;
        response.StatusCode = status;
        response.ContentLength64 = 0;
        response.Close();
    }

    /// <summary>Decodes and keeps one export; the HTTP status to answer.</summary>
    private async Task<int> ReceiveAsync(HttpListenerRequest request, string path)
    {
        if (request.HttpMethod != "POST")
        {
            return 405;
        }

        if (path != TracesPath && path != MetricsPath)
        {
            return 404;
        }

        if (request.ContentType?.Split(';')[0].Trim() != ProtobufContentType)
        {
            return 415;
        }

        // OTLP/HTTP servers must accept gzip besides plain bodies; the .NET exporter sends plain ones.
        var gzipped = request.Headers["Content-Encoding"] switch
        {
            null or "identity" => false,
            "gzip" => true,
            _ => (bool?)null,
        };
        if (gzipped is null)
        {
            return 415;
        }

        using var body = new MemoryStream();
        var input = request.InputStream;
        await using (input.ConfigureAwait(false))
        {
            if (gzipped.Value)
            {
                var gzip = new GZipStream(input, CompressionMode.Decompress);
                await using (gzip.ConfigureAwait(false))
                {
                    await gzip.CopyToAsync(body).ConfigureAwait(false);
                }
            }
            else
            {
                await input.CopyToAsync(body).ConfigureAwait(false);
            }
        }

        var message = ByteString.CopyFrom(body.GetBuffer(), 0, (int)body.Length);
        if (path == TracesPath)
        {
            AddSpans(OtlpDecoder.Spans(message));
        }
        else
        {
            AddMetrics(OtlpDecoder.Metrics(message));
        }

        return 200;
    }
}
