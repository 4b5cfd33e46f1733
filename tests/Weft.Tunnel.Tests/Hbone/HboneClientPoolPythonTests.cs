using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Weft.Tunnel.Hbone;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>
/// The pool against an independent server: python3-h2 over Python's ssl (OpenSSL), TLS 1.3 with
/// ALPN h2, the client certificate required and verified against the mesh root, the server
/// presenting the destination's SPIFFE certificate. Python reports what it saw.
/// </summary>
public sealed class HboneClientPoolPythonTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly PoolTestKit kit = new();

    public void Dispose() => kit.Dispose();

    [ToolFact(Tools.PythonH2)]
    public async Task Tunnels_through_a_python_h2_server_carry_identity_and_headers()
    {
        Tools.Require(Tools.PythonH2);
        var (cert, key) = kit.Ca.WritePem(kit.ServerCertificate, "server");
        using var python = Tools.Start(Tools.Python,
            [Tools.InteropScript("h2_connect_server.py"), "--tls", "--cert", cert, "--key", key, "--require-client-cert", kit.Ca.RootPemPath, "--report"]);
        var stderr = python.StandardError.ReadToEndAsync();
        try
        {
            var port = await ReadPortAsync(python, stderr);
            const string traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
            var destination = kit.Destination(new IPEndPoint(IPAddress.Loopback, port)) with
            {
                Target = new IPEndPoint(IPAddress.Parse("2001:db8::7"), 8443),
                Source = new IPEndPoint(IPAddress.Parse("10.44.1.9"), 40123),
                TraceParent = traceParent,
            };

            await using (var pool = kit.Pool())
            {
                var first = await pool.OpenAsync(destination, CancellationToken.None);
                await PoolTestKit.EchoAsync(first, "first through python");
                var second = await pool.OpenAsync(destination with { TraceParent = null, Source = null }, CancellationToken.None);
                await PoolTestKit.EchoAsync(second, "second through python");
                Assert.True(first.NewConnection);
                Assert.False(second.NewConnection);
                Assert.Equal(1, pool.HandshakeCount);
            }

            // Disposing the pool closed the connection: python has served it and exits.
            await python.WaitForExitAsync().WaitAsync(Timeout);
            var lines = (await python.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(python.ExitCode == 0, $"python-h2 server exited {python.ExitCode}: {string.Join('\n', lines)} {await stderr}");
            var requests = lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(2, requests.Count);
            foreach (var request in requests)
            {
                Assert.Equal("[2001:db8::7]:8443", request.GetProperty("authority").GetString());
                Assert.Equal([kit.ClientId.ToString()], request.GetProperty("peer_uris").EnumerateArray().Select(e => e.GetString()));
            }

            Assert.Equal("for=\"10.44.1.9:40123\"", requests[0].GetProperty("forwarded").GetString());
            Assert.Equal(traceParent, requests[0].GetProperty("traceparent").GetString());
            Assert.Equal(JsonValueKind.Null, requests[1].GetProperty("forwarded").ValueKind);
            Assert.Equal(JsonValueKind.Null, requests[1].GetProperty("traceparent").ValueKind);
        }
        finally
        {
            if (!python.HasExited)
            {
                python.Kill(entireProcessTree: true);
            }
        }
    }

    [ToolFact(Tools.PythonH2)]
    public async Task A_server_that_does_not_agree_on_h2_fails_tls()
    {
        Tools.Require(Tools.PythonH2);
        var (cert, key) = kit.Ca.WritePem(kit.ServerCertificate, "server");
        using var python = Tools.Start(Tools.Python,
            [Tools.InteropScript("h2_connect_server.py"), "--tls", "--cert", cert, "--key", key, "--require-client-cert", kit.Ca.RootPemPath, "--alpn", "http/1.1"]);
        var stderr = python.StandardError.ReadToEndAsync();
        try
        {
            var port = await ReadPortAsync(python, stderr);
            await using var pool = kit.Pool();

            var e = await Assert.ThrowsAsync<HboneException>(() => pool.OpenAsync(kit.Destination(new IPEndPoint(IPAddress.Loopback, port)), CancellationToken.None));

            Assert.Equal(HboneFailure.TlsFailed, e.Failure);
            Assert.Contains("ALPN h2", e.Message, StringComparison.Ordinal);
            Assert.Equal(1, kit.Handshakes(nameof(HboneFailure.TlsFailed)));
            Assert.Equal(0, pool.ConnectionCount);
            await python.WaitForExitAsync().WaitAsync(Timeout);
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

        return int.Parse(line.AsSpan(5), CultureInfo.InvariantCulture);
    }
}
