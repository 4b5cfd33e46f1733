using System.Globalization;
using System.Net;
using System.Text;
using Weft.Lab.Infra;
using Weft.Lab.Mesh;

namespace Weft.Lab.Demo;

/// <summary>
/// `weft-lab demo`: two simulated nodes, each running the real agent with a local config and one
/// operator root. Sends traffic between the pods and prints what each agent did with it: mesh to
/// mesh in mutual-TLS HBONE tunnels (and what a capture on the wire between the nodes saw),
/// plaintext from outside the mesh, an L4 policy and STRICT mode taking effect at run time. Then
/// releases the namespace, and stops the agents to show that everything they attached is gone.
/// </summary>
public static class DemoCommand
{
    private const int AppPort = 8080;
    private const string Marker = "WEFT-DEMO-PLAINTEXT";
    private static readonly IPAddress ServiceVip = IPAddress.Parse("10.96.0.10");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var binary = args.Count >= 2 && args[0] == "--agent" ? args[1] : LabAgent.DefaultBinary;
        using var lab = Lab.Create("demo");
        var dir = Directory.CreateTempSubdirectory($"weft-{lab.Id}-demo-").FullName;
        var topology = new DemoTopology(lab, dir);
        var (client, web, legacy) = (topology.Client, topology.Web, topology.Legacy);
        Say($"lab {lab.Id}: node-a runs client-1 {client.Address}; node-b runs web-1 {web.Address} (both namespace shop, weft.io/mesh=enabled)");
        Say($"            and legacy-1 {legacy.Address} (namespace legacy, not in the mesh); service web {ServiceVip}:80 -> web-1:{AppPort}");
        try
        {
            Command.Run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", topology.CaKey, "-out", topology.CaCert, "-days", "1", "-subj", "/O=weft-demo/CN=demo root",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
            Say($"operator root made with openssl: {topology.CaCert}; both agents sign their workloads' certificates with it");
            topology.WriteConfigs(shopEnrolled: true, policies: null);
            using var webServer = web.Serve(AppPort, replyBytes: 4096);
            using var legacyServer = legacy.Serve(AppPort, replyBytes: 4096);
            using var agentA = await LabAgent.StartAsync(topology.NodeA, topology.ConfigPath(topology.NodeA), binary).ConfigureAwait(false);
            using var agentB = await LabAgent.StartAsync(topology.NodeB, topology.ConfigPath(topology.NodeB), binary).ConfigureAwait(false);
            var agents = new[] { agentA, agentB };
            foreach (var (agent, node) in agents.Zip([topology.NodeA, topology.NodeB]))
            {
                var id = await agent.WaitForAsync(6002, _ => true, Wait).ConfigureAwait(false);
                Say($"agent on {node.Name} running (pid {agent.Process.Pid}); certificate issued for {id["Identity"]}");
            }

            Say("");
            var flows = new (string Label, LabPod From, IPEndPoint To)[]
            {
                ("client-1 -> web-1 (pod to pod, across nodes)", client, new IPEndPoint(web.Address, AppPort)),
                ("client-1 -> web service VIP", client, new IPEndPoint(ServiceVip, 80)),
                ("legacy-1 -> web-1 (from outside the mesh)", legacy, new IPEndPoint(web.Address, AppPort)),
                ("client-1 -> legacy-1 (to outside the mesh)", client, new IPEndPoint(legacy.Address, AppPort)),
            };
            var ok = await WireCheckAsync(lab, client, web).ConfigureAwait(false);
            Say("");
            ok &= await RunFlowsAsync(agents, flows, expectOk: true).ConfigureAwait(false);

            Say("");
            Say("policy at run time: DENY shop/client -> app=web, and shop STRICT (no plaintext):");
            await ReconfigureAsync(topology, agents, shopEnrolled: true, DemoTopology.DenyClientStrictShop).ConfigureAwait(false);
            ok &= await RunFlowsAsync(agents, flows[..1], expectOk: false).ConfigureAwait(false);
            ok &= await RunFlowsAsync(agents, flows[2..3], expectOk: false, header: false).ConfigureAwait(false);
            await ReconfigureAsync(topology, agents, shopEnrolled: true, null).ConfigureAwait(false);

            Say("");
            Say("release namespace shop at run time (label weft.io/mesh removed from the config files):");
            await ReconfigureAsync(topology, agents, shopEnrolled: false, null).ConfigureAwait(false);
            await agentA.WaitForAsync(LabAgent.PodReleased, e => e["Pod"] == "shop/client-1", Wait).ConfigureAwait(false);
            ok &= await RunFlowsAsync(agents, flows[..1], expectOk: true).ConfigureAwait(false);

            Say("");
            ok &= await ShowMetricsAsync(topology.NodeB).ConfigureAwait(false);

            Say("");
            Say("stop the agents (SIGTERM):");
            foreach (var (agent, node) in agents.Zip([topology.NodeA, topology.NodeB]))
            {
                var code = await agent.StopAsync().ConfigureAwait(false);
                var pins = Directory.Exists($"/sys/fs/bpf/weft/{node.Name}") ? "still there (bad)" : "removed";
                Say($"  {node.Name}: agent exited with {code}; pinned maps under /sys/fs/bpf/weft/{node.Name} {pins}");
                ok &= code == 0 && pins == "removed";
            }

            Say("");
            Say(ok ? "demo: OK" : "demo: FAILED");
            return ok ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Sends marked bytes client → web across the nodes while capturing the fabric, and says what the wire carried.</summary>
    private static async Task<bool> WireCheckAsync(Lab lab, LabPod client, LabPod web)
    {
        using var capture = await FabricCapture.StartAsync(lab).ConfigureAwait(false);
        var result = await client.SendAsync(new IPEndPoint(web.Address, AppPort), 1 << 20, expectReplyBytes: 4096, text: Marker).ConfigureAwait(false);
        await capture.StopAsync().ConfigureAwait(false);
        var versions = capture.DecodedFields(FabricCapture.HboneDecode, $"ip.src=={web.Address} && tcp.srcport==15008 && tls.handshake.type==2", "tls.handshake.extensions.supported_version")
            .Select(f => f[0] == "0x0304" ? "TLS 1.3" : f[0]).Distinct().ToList();
        var toApp = capture.Fields($"ip.src=={client.Address} && ip.dst=={web.Address} && tcp.dstport=={AppPort}", "frame.number").Count;
        var clear = capture.Contains(Encoding.ASCII.GetBytes(Marker));
        Say($"on the wire between the nodes (tshark on the lab bridge), while client-1 sent 1 MiB of \"{Marker}\" to web-1:{AppPort}:");
        Say($"  handshakes to {web.Address}:15008: {(versions.Count == 0 ? "none seen" : string.Join(", ", versions))}; packets to port {AppPort}: {toApp}; the application's bytes in clear: {(clear ? "FOUND (bad)" : "never")}");
        return result.Ok && versions.SequenceEqual(["TLS 1.3"]) && toApp == 0 && !clear;
    }

    private static async Task ReconfigureAsync(DemoTopology topology, LabAgent[] agents, bool shopEnrolled, string? policies)
    {
        var lines = agents.Select(a => a.LineCount).ToArray();
        topology.WriteConfigs(shopEnrolled, policies);
        for (var i = 0; i < agents.Length; i++)
        {
            await agents[i].WaitForAsync(2, _ => true, Wait, lines[i]).ConfigureAwait(false);
        }
    }

    private static async Task<bool> RunFlowsAsync(LabAgent[] agents, (string Label, LabPod From, IPEndPoint To)[] flows, bool expectOk, bool header = true)
    {
        var ok = true;
        if (header)
        {
            Say($"  {"flow",-46} {"result",-8} what the agents logged");
        }

        foreach (var (label, from, to) in flows)
        {
            var before = agents.Select(a => a.AccessLog.Count).ToArray();
            var result = await from.SendAsync(to, 1 << 20, expectReplyBytes: 4096).ConfigureAwait(false);

            // The agents log a connection when it closes; give the logs a moment to arrive.
            await Task.Delay(300).ConfigureAwait(false);
            var records = agents.SelectMany((a, i) => a.AccessLog.Skip(before[i])).ToList();
            Say($"  {label,-46} {(result.Ok ? "ok" : "refused"),-8} {(records.Count == 0 ? "nothing: went direct" : Describe(records[0]))}");
            foreach (var r in records.Skip(1))
            {
                Say($"  {"",-46} {"",-8} {Describe(r)}");
            }

            ok &= result.Ok == expectOk;
        }

        return ok;
    }

    private static string Describe(AccessRecord r)
    {
        var who = r.Direction == "outbound" ? $"{r.SourceWorkload} -> {r.OriginalDestination}" : $"{r.SourceAddress} -> {r.DestinationWorkload}";
        var peer = r.Direction == "outbound" ? r.DestinationPrincipal : r.SourcePrincipal;
        var security = r.Security == "mutual_tls" ? $"mTLS, peer {peer}" : "plaintext";
        var via = r.Direction == "outbound" && r.Upstream != r.OriginalDestination ? $" via {r.Upstream}" : "";
        return $"{r.Direction} {who}{via}, {security}: {(r.Result == "ok" ? Mib(r.BytesSent) + " out" : r.Result)}";
    }

    /// <summary>What node-b's agent reports on its Prometheus endpoint for the traffic above (Istio's metric names).</summary>
    private static async Task<bool> ShowMetricsAsync(LabNode node)
    {
        var url = $"http://127.0.0.1:{node.TelemetryPorts.Metrics}/stats/prometheus";
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync(new Uri(url)).ConfigureAwait(false);
        Say($"metrics of {node.Name}'s agent ({url}), Istio's TCP metrics for the traffic above:");
        var shown = 0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("istio_tcp_", StringComparison.Ordinal))
            {
                continue;
            }

            Say("  " + Shorten(line));
            shown++;
        }

        return shown > 0;
    }

    /// <summary>Keeps the labels that tell the story (who, to whom, secured how); Prometheus shows all eleven.</summary>
    private static string Shorten(string sample)
    {
        var open = sample.IndexOf('{', StringComparison.Ordinal);
        var close = sample.LastIndexOf('}');
        if (open < 0 || close < open)
        {
            return sample;
        }

        string[] keep = ["reporter", "source_workload", "destination_workload", "connection_security_policy", "response_flags"];
        var labels = sample[(open + 1)..close].Split("\",", StringSplitOptions.None)
            .Select(l => l.TrimEnd('"'))
            .Where(l => keep.Any(k => l.StartsWith(k + "=\"", StringComparison.Ordinal)))
            .Select(l => l + "\"");
        return $"{sample[..open]}{{{string.Join(',', labels)}}}{sample[(close + 1)..]}";
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    private static void Say(string line) => Console.WriteLine(line);
}
