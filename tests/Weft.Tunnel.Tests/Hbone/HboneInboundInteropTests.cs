using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Weft.Identity;
using Weft.Tunnel.Hbone;
using Weft.Tunnel.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>
/// The inbound server against independent TLS and HTTP/2 stacks: Python's ssl (OpenSSL) with
/// python3-h2 as an HBONE client, and openssl s_client as a check of the handshake rules
/// alone (TLS 1.3, ALPN h2, a client certificate from the mesh CA).
/// </summary>
public sealed class HboneInboundInteropTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TestMeshCa ca = new();

    public void Dispose() => ca.Dispose();

    [ToolFact(Tools.PythonH2)]
    public async Task Python_h2_over_python_ssl_tunnels_through_the_inbound_server()
    {
        Tools.Require(Tools.PythonH2);
        var peers = new ConcurrentBag<SpiffeId>();
        await using var server = new InboundServer(ca, (request, ct) =>
        {
            peers.Add(request.Peer);
            return InboundServer.EchoAsync(request, ct);
        }, output: TestLog.To(output, "inbound"));
        var pythonId = ca.Id("shop", "python");
        var (cert, key) = ca.WritePem(ca.Issue(pythonId), "python");

        var (code, stdout, stderr) = await RunPythonAsync(server, "--cert", cert, "--key", key, "--streams", "4", "--size", "262144", "--ping");
        Assert.True(code == 0, $"python-h2 client failed ({code}): {stdout} {stderr}");
        using var result = JsonDocument.Parse(stdout);
        Assert.Equal(4, result.RootElement.GetProperty("streams").GetInt32());
        Assert.Equal(["200"], result.RootElement.GetProperty("statuses").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(result.RootElement.GetProperty("mismatched").EnumerateArray());
        Assert.True(result.RootElement.GetProperty("ping").GetBoolean());
        Assert.Equal(4, peers.Count);
        Assert.All(peers, p => Assert.Equal(pythonId, p));
        Assert.Equal(1, server.HandshakeCount("ok"));
    }

    [ToolFact(Tools.PythonH2)]
    public async Task Python_without_a_client_certificate_is_refused()
    {
        Tools.Require(Tools.PythonH2);
        await using var server = new InboundServer(ca, output: TestLog.To(output, "inbound"));

        var (code, stdout, stderr) = await RunPythonAsync(server);
        Assert.True(code == 2, $"python-h2 client should have been refused, exited {code}: {stdout} {stderr}");
        using var result = JsonDocument.Parse(stdout);
        // Refused after python's side of the TLS 1.3 handshake is done: its first read fails or ends.
        var error = result.RootElement.GetProperty("error").GetString() ?? "";
        Assert.True(error.StartsWith("the server closed the connection early", StringComparison.Ordinal)
            || error.StartsWith("connection failed", StringComparison.Ordinal), error);

        await server.WaitForHandshakeAsync(nameof(HboneFailure.PeerCertificateRejected));
        Assert.Equal(nameof(PeerVerificationFailure.NoCertificate), Assert.Single(server.Log.Events(5101)).Value("Failure"));
        Assert.Equal(0, server.HandshakeCount("ok"));
    }

    [ToolFact(Tools.OpenSsl)]
    public async Task Openssl_s_client_gets_through_only_with_TLS_1_3_h2_and_a_mesh_certificate()
    {
        Tools.Require(Tools.OpenSsl);
        await using var server = new InboundServer(ca, output: TestLog.To(output, "inbound"));
        var (cert, key) = ca.WritePem(ca.Issue(ca.Id("shop", "openssl")), "openssl");

        // -reconnect: five more connections, each offering the session ticket of the one before.
        // None is resumed: every connection shows (and has checked) a client certificate again.
        var accepted = await SClientAsync(server, "with a mesh certificate", "ok", 6, "-tls1_3", "-alpn", "h2", "-cert", cert, "-key", key, "-reconnect");
        Assert.Equal(6, accepted.Split('\n').Count(l => l.StartsWith("New, TLSv1.3", StringComparison.Ordinal)));
        Assert.DoesNotContain("Reused", accepted, StringComparison.Ordinal);
        Assert.Contains("ALPN protocol: h2", accepted, StringComparison.Ordinal);
        Assert.Contains("Verify return code: 0 (ok)", accepted, StringComparison.Ordinal);

        await SClientAsync(server, "without a certificate", nameof(HboneFailure.PeerCertificateRejected), 1, "-tls1_3", "-alpn", "h2");
        await SClientAsync(server, "TLS 1.2", nameof(HboneFailure.TlsFailed), 1, "-tls1_2", "-alpn", "h2", "-cert", cert, "-key", key);
        Assert.Equal(new Dictionary<string, long> { ["ok"] = 6, [nameof(HboneFailure.PeerCertificateRejected)] = 1, [nameof(HboneFailure.TlsFailed)] = 1 },
            server.Metrics.By(InboundServer.Handshakes, "result"));
    }

    private Task<(int Code, string Stdout, string Stderr)> RunPythonAsync(InboundServer server, params string[] extra) =>
        Tools.RunAsync(Tools.Python,
        [
            Tools.InteropScript("h2_connect_client.py"), "--port", server.EndPoint.Port.ToString(CultureInfo.InvariantCulture), "--tls",
            "--ca", ca.RootPemPath, "--expect-peer", server.Identity.ToString(), "--authority", InboundServer.Authority(8080), .. extra,
        ], Timeout);

    /// <summary>
    /// Runs s_client until the server has counted <paramref name="handshakes"/> more handshakes as
    /// <paramref name="result"/>, then closes its stdin (it quits); returns what it printed. Its
    /// exit code says little: in TLS 1.3 the client finishes before the server judges its certificate.
    /// </summary>
    private async Task<string> SClientAsync(InboundServer server, string what, string result, int handshakes, params string[] args)
    {
        var before = server.HandshakeCount(result);
        var psi = new ProcessStartInfo(Tools.OpenSslPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["s_client", "-connect", $"127.0.0.1:{server.EndPoint.Port}", "-CAfile", ca.RootPemPath, "-verify_return_error", .. args])
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start openssl");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await server.WaitForHandshakeAsync(result, before + handshakes);
            process.StandardInput.Close();
            await process.WaitForExitAsync().WaitAsync(Timeout);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var text = await stdout + await stderr;
        output.WriteLine($"openssl s_client {what}: {text}");
        return text;
    }
}
