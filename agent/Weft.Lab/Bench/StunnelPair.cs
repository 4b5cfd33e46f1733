using System.Globalization;
using System.Net;
using Weft.Lab.Infra;

namespace Weft.Lab.Bench;

/// <summary>
/// The baseline: stunnel4 as a TLS peer pair. The client side runs in the client pod (accepts on
/// its loopback), the server side in the server pod (accepts on its address, connects to the app
/// on loopback). TLS 1.3 only, ECDSA P-256 keys from openssl, client certificates required and
/// verified against a private root, the server's name checked by the client.
/// </summary>
internal sealed class StunnelPair : IDisposable
{
    private const string ServerName = "bench-stunnel-server";
    private const int LocalOffset = 20000;
    private const int RemoteOffset = 30000;

    private StunnelPair(LabProcess client, LabProcess server)
    {
        Client = client;
        Server = server;
    }

    public LabProcess Client { get; }

    public LabProcess Server { get; }

    public IReadOnlyList<int> Pids => [Client.Pid, Server.Pid];

    /// <summary>Where the client pod's applications connect to reach <paramref name="appPort"/> in the server pod.</summary>
    public static IPEndPoint Local(int appPort) => new(IPAddress.Loopback, LocalOffset + appPort % 10000);

    public static async Task<StunnelPair> StartAsync(LabPod client, LabPod server, IReadOnlyList<int> appPorts, string dir)
    {
        MakeCertificates(dir);
        var clientConf = Path.Combine(dir, "stunnel-client.conf");
        var serverConf = Path.Combine(dir, "stunnel-server.conf");
        File.WriteAllText(clientConf, Config(dir, "client", appPorts.Select(p =>
            $"client = yes\naccept = {Local(p)}\nconnect = {new IPEndPoint(server.Address, Remote(p))}\ncheckHost = {ServerName}\n")));
        File.WriteAllText(serverConf, Config(dir, "server", appPorts.Select(p =>
            $"accept = {new IPEndPoint(server.Address, Remote(p))}\nconnect = 127.0.0.1:{p}\nrequireCert = yes\n")));

        // stunnel keeps two descriptors per connection and does not raise its own limit (1024 by default).
        var serverProcess = await PodTools.StartListeningAsync(server, Remote(appPorts[0]), "prlimit", "--nofile=16384:16384", "stunnel4", serverConf).ConfigureAwait(false);
        try
        {
            var clientProcess = await PodTools.StartListeningAsync(client, Local(appPorts[0]).Port, "prlimit", "--nofile=16384:16384", "stunnel4", clientConf).ConfigureAwait(false);
            return new StunnelPair(clientProcess, serverProcess);
        }
        catch
        {
            serverProcess.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }

    private static int Remote(int appPort) => RemoteOffset + appPort % 10000;

    /// <summary>One stunnel config: global options, then one service per application port.</summary>
    private static string Config(string dir, string side, IEnumerable<string> services)
    {
        var tls = string.Create(CultureInfo.InvariantCulture, $"""
            cert = {Path.Combine(dir, side + ".crt")}
            key = {Path.Combine(dir, side + ".key")}
            CAfile = {Path.Combine(dir, "stunnel-ca.crt")}
            verifyChain = yes
            sslVersionMin = TLSv1.3
            sslVersionMax = TLSv1.3

            """);
        var body = string.Join("", services.Select((s, i) => $"[svc{i}]\n{s}{tls}\n"));
        // foreground: stays the process the lab started (its pid is the one measured); pid = : no pid file.
        return $"foreground = yes\npid =\n\n{body}";
    }

    private static void MakeCertificates(string dir)
    {
        var ca = Path.Combine(dir, "stunnel-ca");
        Command.Run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", ca + ".key", "-out", ca + ".crt", "-days", "1", "-subj", "/CN=bench stunnel root",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        foreach (var (side, usage) in new[] { ("server", "serverAuth"), ("client", "clientAuth") })
        {
            var leaf = Path.Combine(dir, side);
            var ext = leaf + ".ext";
            File.WriteAllText(ext, $"subjectAltName = DNS:{(side == "server" ? ServerName : "bench-stunnel-client")}\nextendedKeyUsage = {usage}\nbasicConstraints = critical,CA:FALSE\n");
            Command.Run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", leaf + ".key", "-out", leaf + ".csr", "-subj", $"/CN=bench-stunnel-{side}");
            Command.Run("openssl", "x509", "-req", "-in", leaf + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
                "-CAcreateserial", "-days", "1", "-extfile", ext, "-out", leaf + ".crt");
        }
    }
}
