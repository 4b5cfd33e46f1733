using System.Globalization;
using System.Net;
using Weft.Lab.Mesh;

namespace Weft.Lab.Demo;

/// <summary>
/// `weft-lab demo`: one simulated node, an enrolled namespace and one outside the mesh; runs
/// the real agent with a local config, sends traffic between the pods, and prints what the
/// agent captured and what went direct. Then flips enrolment off at run time, and stops the
/// agent to show that everything it attached is gone.
/// </summary>
public static class DemoCommand
{
    private const int AppPort = 8080;
    private static readonly IPAddress ServiceVip = IPAddress.Parse("10.96.0.10");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var binary = args.Count >= 2 && args[0] == "--agent" ? args[1] : LabAgent.DefaultBinary;
        using var lab = Lab.Create("demo");
        var node = lab.AddNode("node-a");
        var web = lab.AddPod(node, "web-1", IPAddress.Parse("10.77.0.2"));
        var client = lab.AddPod(node, "client-1", IPAddress.Parse("10.77.0.3"));
        var legacy = lab.AddPod(node, "legacy-1", IPAddress.Parse("10.77.0.4"));
        Say($"lab {lab.Id}: node-a with pods web-1 {web.Address}, client-1 {client.Address} (namespace shop, weft.io/mesh=enabled)");
        Say($"            and legacy-1 {legacy.Address} (namespace legacy, not in the mesh); service web {ServiceVip}:80 -> web-1:{AppPort}");

        var config = MeshConfig(node, web, client, legacy, shopEnrolled: true);
        var configPath = Path.Combine(Path.GetTempPath(), $"weft-{lab.Id}-demo.yaml");
        config.WriteTo(configPath);
        try
        {
            using var webServer = web.Serve(AppPort, replyBytes: 4096);
            using var legacyServer = legacy.Serve(AppPort, replyBytes: 4096);
            using var agent = await LabAgent.StartAsync(node, configPath, binary).ConfigureAwait(false);
            Say($"agent running (pid {agent.Process.Pid}) with config {configPath}; pods enrolled: {string.Join(", ", agent.Log.Where(e => e.EventId == LabAgent.PodEnrolled).Select(e => e["Pod"]))}");
            Say("");

            var flows = new (string Label, LabPod From, IPEndPoint To)[]
            {
                ("client-1 -> web-1 (pod to pod)", client, new IPEndPoint(web.Address, AppPort)),
                ("client-1 -> web service VIP", client, new IPEndPoint(ServiceVip, 80)),
                ("legacy-1 -> web-1 (from outside the mesh)", legacy, new IPEndPoint(web.Address, AppPort)),
                ("client-1 -> legacy-1 (to outside the mesh)", client, new IPEndPoint(legacy.Address, AppPort)),
            };
            var ok = await RunFlowsAsync(agent, flows, 1 << 20).ConfigureAwait(false);

            Say("");
            Say("release namespace shop at run time (label weft.io/mesh removed from the config file):");
            MeshConfig(node, web, client, legacy, shopEnrolled: false).WriteTo(configPath);
            await agent.WaitForAsync(LabAgent.PodReleased, e => e["Pod"] == "shop/client-1", Wait).ConfigureAwait(false);
            ok &= await RunFlowsAsync(agent, flows[..1], 1 << 20).ConfigureAwait(false);

            Say("");
            Say("stop the agent (SIGTERM):");
            var code = await agent.StopAsync().ConfigureAwait(false);
            var pins = Directory.Exists($"/sys/fs/bpf/weft/{node.Name}") ? "still there (bad)" : "removed";
            Say($"  agent exited with {code}; pinned maps under /sys/fs/bpf/weft/{node.Name} {pins}");
            ok &= code == 0 && pins == "removed";
            Say("");
            Say(ok ? "demo: OK" : "demo: FAILED");
            return ok ? 0 : 1;
        }
        finally
        {
            File.Delete(configPath);
            var state = Path.Combine(Path.GetTempPath(), $"weft-{lab.Id}-state");
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }

    private static async Task<bool> RunFlowsAsync(LabAgent agent, (string Label, LabPod From, IPEndPoint To)[] flows, long bytes)
    {
        var ok = true;
        Say($"  {"flow",-44} {"result",-8} {"captured by the agent",-60}");
        foreach (var (label, from, to) in flows)
        {
            var before = agent.AccessLog.Count;
            var result = await from.SendAsync(to, bytes, expectReplyBytes: 4096).ConfigureAwait(false);

            // The agent logs a connection when it closes; give the log a moment to arrive.
            await Task.Delay(300).ConfigureAwait(false);
            var records = agent.AccessLog.Skip(before).ToList();
            var captured = records.Count == 0
                ? "nothing: went direct"
                : string.Join("; ", records.Select(r =>
                    $"{r.Direction} {r.SourceWorkload} {r.SourceAddress} -> {r.OriginalDestination}" +
                    (r.Upstream != r.OriginalDestination ? $" (to {r.Upstream})" : "") + $", {Mib(r.BytesSent)} out/{r.BytesReceived} B back"));
            Say($"  {label,-44} {(result.Ok ? "ok" : "FAILED"),-8} {captured}");
            ok &= result.Ok;
        }

        return ok;
    }

    private static MeshConfigBuilder MeshConfig(LabNode node, LabPod web, LabPod client, LabPod legacy, bool shopEnrolled)
    {
        var shopLabels = shopEnrolled ? MeshConfigBuilder.Labels("weft.io/mesh", "enabled") : [];
        return new MeshConfigBuilder(node.Name, node.CgroupPath) { IdentityStateDir = Path.Combine(Path.GetTempPath(), $"weft-{node.Lab.Id}-state") }
            .Namespace("shop", shopLabels)
            .Namespace("legacy")
            .Workload(web, "shop", "web", MeshConfigBuilder.Labels("app", "web"))
            .Workload(client, "shop", "client")
            .Workload(legacy, "legacy")
            .Service("web", "shop", ServiceVip, 80, AppPort, MeshConfigBuilder.Labels("app", "web"));
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    private static void Say(string line) => Console.WriteLine(line);
}
