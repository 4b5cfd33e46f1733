using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Interop;

/// <summary>
/// Against an independent implementation, Debian's python3-h2, both ways: its client through our
/// server, our client against its server; plain TCP and TLS 1.3 (ALPN h2, client certificates).
/// </summary>
public sealed class PythonH2InteropTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string dir = Directory.CreateTempSubdirectory("weft-h2-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [ToolFact(Tools.PythonH2)]
    public Task Python_client_through_our_server_over_tcp() => PythonClientAsync(tls: false);

    [ToolFact(Tools.PythonH2)]
    public Task Python_client_through_our_server_over_tls() => PythonClientAsync(tls: true);

    [ToolFact(Tools.PythonH2)]
    public Task Our_client_against_python_server_over_tcp() => PythonServerAsync(tls: false);

    [ToolFact(Tools.PythonH2)]
    public Task Our_client_against_python_server_over_tls() => PythonServerAsync(tls: true);

    private async Task PythonClientAsync(bool tls)
    {
        Tools.Require(Tools.PythonH2);
        var authorities = new System.Collections.Concurrent.ConcurrentBag<string?>();
        await using var server = TestServer.Start(s =>
        {
            authorities.Add(s.RequestHeaders.Get(":authority"));
            return Echo.Handler(s);
        }, tls: tls);
        List<string> args = [Tools.InteropScript("h2_connect_client.py"), "--port", server.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--streams", "8", "--size", "1048576", "--authority", "10.1.2.3:8443", "--ping"];
        if (tls)
        {
            var (cert, key) = TestCertificate.WritePem(dir);
            args.AddRange(["--tls", "--cert", cert, "--key", key]);
        }

        var (code, stdout, stderr) = await Tools.RunAsync(Tools.Python, args, Timeout);
        Assert.True(code == 0, $"python-h2 client failed ({code}): {stdout} {stderr}");
        using var result = JsonDocument.Parse(stdout);
        Assert.Equal(8, result.RootElement.GetProperty("streams").GetInt32());
        Assert.Equal(["200"], result.RootElement.GetProperty("statuses").EnumerateArray().Select(e => e.GetString()));
        Assert.True(result.RootElement.GetProperty("ping").GetBoolean());
        Assert.Equal(8, authorities.Count);
        Assert.All(authorities, a => Assert.Equal("10.1.2.3:8443", a));

        // It closed with GOAWAY(NO_ERROR): our side of that connection ended cleanly.
        Assert.Null(await server.NextEndedAsync());
    }

    private async Task PythonServerAsync(bool tls)
    {
        Tools.Require(Tools.PythonH2);
        List<string> args = [Tools.InteropScript("h2_connect_server.py"), "--ping"];
        if (tls)
        {
            var (cert, key) = TestCertificate.WritePem(dir);
            args.AddRange(["--tls", "--cert", cert, "--key", key, "--require-client-cert", cert]);
        }

        using var python = Tools.Start(Tools.Python, args);
        var stderr = python.StandardError.ReadToEndAsync();
        try
        {
            var port = await ReadPortAsync(python, stderr);
            await using var client = await TestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), tls: tls);

            // Eight tunnels at once, 1 MiB each way, through python's flow control.
            var tunnels = Enumerable.Range(0, 8).Select(async i =>
            {
                var stream = await client.Connection.OpenStreamAsync(Echo.Connect($"10.9.0.{i}:80"));
                Assert.Equal("200", (await stream.ResponseHeaders.WaitAsync(Timeout)).Get(":status"));
                var receive = Echo.ReceiveAsync(stream);
                var sent = await Echo.SendAsync(stream, 1 << 20, seed: i);
                var (count, digest) = await receive.WaitAsync(Timeout);
                Assert.Equal(1 << 20, count);
                Assert.Equal(sent, digest);
            }).ToArray();
            await Task.WhenAll(tunnels).WaitAsync(Timeout);

            // A request python refuses: a status and an ended stream, the connection unharmed.
            var refused = await client.Connection.OpenStreamAsync([new(":method", "GET"), new(":scheme", "https"), new(":path", "/"), new(":authority", "x")]);
            Assert.Equal("400", (await refused.ResponseHeaders.WaitAsync(Timeout)).Get(":status"));
            Assert.Equal(0, await refused.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout));
            await refused.CompleteWritesAsync(); // our side too, or the drain below would wait for it

            await client.Connection.GoAwayAsync(Http2ErrorCode.NoError);
            await client.Run.WaitAsync(TimeSpan.FromSeconds(5)); // promptly: nothing is left to drain
            await python.WaitForExitAsync().WaitAsync(Timeout);
            var output = await python.StandardOutput.ReadToEndAsync();
            Assert.True(python.ExitCode == 0, $"python-h2 server exited {python.ExitCode}: {output} {await stderr}");
            Assert.Contains("PING acked", output, StringComparison.Ordinal);
        }
        finally
        {
            if (!python.HasExited)
            {
                python.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<int> ReadPortAsync(Process python, Task<string> stderr)
    {
        var line = await python.StandardOutput.ReadLineAsync().WaitAsync(Timeout);
        if (line is null || !line.StartsWith("PORT ", StringComparison.Ordinal))
        {
            Assert.Fail($"python-h2 server did not start: {line} {await stderr.WaitAsync(Timeout)}");
        }

        return int.Parse(line.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture);
    }
}
