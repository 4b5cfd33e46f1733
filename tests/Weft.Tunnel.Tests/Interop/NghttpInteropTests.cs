using System.Text;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Interop;

/// <summary>
/// nghttp2's command-line client against our server: ordinary GET and POST requests (nghttp
/// cannot send CONNECT), over TLS with ALPN h2 and over cleartext with prior knowledge. nghttp
/// also sends PRIORITY frames for idle streams, which we must accept and ignore.
/// </summary>
public sealed class NghttpInteropTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string dir = Directory.CreateTempSubdirectory("weft-nghttp-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [ToolFact(Tools.Nghttp)]
    public Task Get_and_post_over_tls() => RunAsync(tls: true);

    [ToolFact(Tools.Nghttp)]
    public Task Get_and_post_over_cleartext_prior_knowledge() => RunAsync(tls: false);

    /// <summary>nghttp2's decoder fails a header block with COMPRESSION_ERROR unless it starts with the size update it expects.</summary>
    [ToolFact(Tools.Nghttp)]
    public async Task Get_with_header_table_size_0()
    {
        Tools.Require(Tools.Nghttp);
        await using var server = TestServer.Start(Handle);
        var uri = $"http://127.0.0.1:{server.EndPoint.Port}";
        var (code, stdout, stderr) = await Tools.RunAsync(Tools.NghttpPath, ["-v", "-c", "0", "-n", $"{uri}/hello", $"{uri}/hello?2"], Timeout);
        Assert.True(code == 0, $"nghttp GET failed ({code}): {stdout} {stderr}");
        Assert.Equal(2, stdout.Split('\n').Count(l => l.Contains(":status: 200", StringComparison.Ordinal)));
    }

    private async Task RunAsync(bool tls)
    {
        Tools.Require(Tools.Nghttp);
        await using var server = TestServer.Start(Handle, tls: tls);
        var scheme = tls ? "https" : "http";
        var baseUri = $"{scheme}://127.0.0.1:{server.EndPoint.Port}";

        var (code, stdout, stderr) = await Tools.RunAsync(Tools.NghttpPath, ["-v", $"{baseUri}/hello"], Timeout);
        Assert.True(code == 0, $"nghttp GET failed ({code}): {stdout} {stderr}");
        Assert.Contains(":status: 200", stdout, StringComparison.Ordinal);
        Assert.Contains("hello from weft", stdout, StringComparison.Ordinal);

        var body = string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog\n", 5000)); // ~220 KB: several frames and window updates
        var file = Path.Combine(dir, "body.txt");
        await File.WriteAllTextAsync(file, body);
        (code, stdout, stderr) = await Tools.RunAsync(Tools.NghttpPath, ["-d", file, $"{baseUri}/echo"], Timeout);
        Assert.True(code == 0, $"nghttp POST failed ({code}): {stderr}");
        Assert.Equal(body, stdout);

        // Three requests on one connection, multiplexed.
        (code, stdout, stderr) = await Tools.RunAsync(Tools.NghttpPath, ["-v", "-n", $"{baseUri}/hello", $"{baseUri}/hello?2", $"{baseUri}/hello?3"], Timeout);
        Assert.True(code == 0, $"nghttp multiplexed GETs failed ({code}): {stdout} {stderr}");
        Assert.Equal(3, stdout.Split('\n').Count(l => l.Contains(":status: 200", StringComparison.Ordinal)));
        Assert.Contains("stream_id=5", stdout, StringComparison.Ordinal); // three streams on one connection
    }

    private static async Task Handle(Http2Stream stream)
    {
        var path = stream.RequestHeaders.Get(":path");
        if (path?.StartsWith("/hello", StringComparison.Ordinal) == true)
        {
            await stream.RespondAsync([new(":status", "200"), new("content-type", "text/plain")], endStream: false);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("hello from weft\n"));
            await stream.CompleteWritesAsync();
        }
        else if (path == "/echo")
        {
            await stream.RespondAsync([new(":status", "200"), new("content-type", "text/plain")], endStream: false);
            await Echo.CopyAsync(stream, stream);
            await stream.CompleteWritesAsync();
        }
        else
        {
            await stream.RespondAsync([new(":status", "404")], endStream: true);
        }
    }
}
