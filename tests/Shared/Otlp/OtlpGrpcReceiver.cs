using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Weft.Tests.Shared.Otlp;

/// <summary>
/// A minimal OTLP/gRPC receiver: Kestrel on 127.0.0.1, HTTP/2 without TLS (prior knowledge, as a
/// collector's plaintext 4317 port takes it). It implements the two unary Export methods of
/// opentelemetry-proto's TraceService and MetricsService at the gRPC wire level: the request body is
/// length-prefixed messages (gzip when flagged and grpc-encoding says so), the answer an empty
/// Export*ServiceResponse message and the trailer grpc-status 0. No gRPC library on this side, so
/// what the agent's exporter sends is checked against the protocol rather than against itself.
/// </summary>
internal sealed class OtlpGrpcReceiver : OtlpCollector
{
    public const string TraceExportMethod = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    public const string MetricsExportMethod = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

    // gRPC status codes (grpc/doc/statuscodes.md).
    private const int GrpcOk = 0;
    private const int GrpcInvalidArgument = 3;
    private const int GrpcUnimplemented = 12;

    private readonly WebApplication _app;

    private OtlpGrpcReceiver(WebApplication app) => _app = app;

    /// <summary>http://127.0.0.1:PORT: gRPC clients take the server's address, the method path is theirs to add.</summary>
    public override Uri Endpoint => new UriBuilder(new Uri(_app.Urls.Single())) { Host = "127.0.0.1" }.Uri;

    public override string TracesPath => TraceExportMethod;

    public override string MetricsPath => MetricsExportMethod;

    public override bool Accepted(string request) => request.EndsWith("-> grpc-status 0", StringComparison.Ordinal);

    public static async Task<OtlpGrpcReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        var receiver = new OtlpGrpcReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        return receiver;
    }

    public override async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static bool IsGrpc(string? contentType) =>
        contentType is not null && (contentType == "application/grpc" || contentType.StartsWith("application/grpc+", StringComparison.Ordinal)
            || contentType.StartsWith("application/grpc;", StringComparison.Ordinal));

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var line = $"{request.Method} {request.Path} {request.Protocol} {request.ContentType} te={request.Headers.TE} grpc-encoding={request.Headers["grpc-encoding"]}";
        if (request.Method != "POST" || !IsGrpc(request.ContentType))
        {
            // Not gRPC at all: an HTTP error, as gRPC servers answer such requests.
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            AddRequest($"{line} -> http 415");
            return;
        }

        var (status, detail) = await ReceiveAsync(request).ConfigureAwait(false);
        AddRequest($"{line} -> grpc-status {status}{detail}");

        // gRPC answers errors with HTTP 200 too: the outcome is in the grpc-status trailer.
        var response = context.Response;
        response.ContentType = "application/grpc";
        if (status == GrpcOk)
        {
            // One message: an empty Export*ServiceResponse (no partial_success), uncompressed.
            await response.Body.WriteAsync(new byte[5]).ConfigureAwait(false);
        }

        response.AppendTrailer("grpc-status", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (detail.Length > 0)
        {
            response.AppendTrailer("grpc-message", Uri.EscapeDataString(detail.Trim()));
        }
    }

    private async Task<(int Status, string Detail)> ReceiveAsync(HttpRequest request)
    {
        var path = request.Path.Value;
        if (path != TraceExportMethod && path != MetricsExportMethod)
        {
            return (GrpcUnimplemented, " unknown method");
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body).ConfigureAwait(false);
        var bytes = body.GetBuffer().AsMemory(0, (int)body.Length);
        var messages = 0;
        while (bytes.Length > 0)
        {
            if (bytes.Length < 5)
            {
                return (GrpcInvalidArgument, " truncated message prefix");
            }

            var compressed = bytes.Span[0];
            var length = BinaryPrimitives.ReadUInt32BigEndian(bytes.Span[1..5]);
            if (compressed > 1 || length > bytes.Length - 5)
            {
                return (GrpcInvalidArgument, $" bad message prefix (flag {compressed}, length {length})");
            }

            var payload = bytes.Slice(5, (int)length);
            bytes = bytes[(5 + (int)length)..];
            ByteString message;
            if (compressed == 1)
            {
                if (request.Headers["grpc-encoding"] != "gzip")
                {
                    return (GrpcUnimplemented, $" compressed message in encoding '{request.Headers["grpc-encoding"]}'");
                }

                message = Gunzip(payload);
            }
            else
            {
                message = ByteString.CopyFrom(payload.Span);
            }

            try
            {
                if (path == TraceExportMethod)
                {
                    AddSpans(OtlpDecoder.Spans(message));
                }
                else
                {
                    AddMetrics(OtlpDecoder.Metrics(message));
                }
            }
            catch (InvalidProtocolBufferException e)
            {
                return (GrpcInvalidArgument, $" undecodable: {e.Message}");
            }

            messages++;
        }

        // A unary call carries exactly one request message.
        return messages == 1 ? (GrpcOk, "") : (GrpcInvalidArgument, $" {messages} messages in a unary call");
    }

    private static ByteString Gunzip(ReadOnlyMemory<byte> payload)
    {
        using var input = new MemoryStream(payload.ToArray());
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return ByteString.CopyFrom(output.GetBuffer(), 0, (int)output.Length);
    }
}
