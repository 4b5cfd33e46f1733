using System.Net;
using Weft.Lab;
using Weft.Lab.Mesh;
using Weft.Tests.Shared;

namespace Weft.Integration.Tests;

/// <summary>
/// A lab node running the real agent (out/agent/weft) over a config file, with these pods:
/// shop (weft.io/mesh=enabled): web-1, web-2 (app=web, behind service web 10.96.0.10:80 → 8080),
/// client-1, optout-1 (weft.io/mesh: disabled); legacy (not in the mesh): legacy-1.
/// Every pod but client-1 serves port 8080.
/// </summary>
public sealed class MeshLab : IAsyncDisposable
{
    public const int AppPort = 8080;
    public const long ReplyBytes = 64 * 1024;
    public static readonly IPAddress ServiceVip = IPAddress.Parse("10.96.0.10");
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, LabProcess> servers = [];

    private MeshLab(Weft.Lab.Lab lab, LabNode node, string configPath)
    {
        Lab = lab;
        Node = node;
        ConfigPath = configPath;
    }

    public Weft.Lab.Lab Lab { get; }

    public LabNode Node { get; }

    public string ConfigPath { get; }

    public LabAgent? Agent { get; private set; }

    public LabPod Web1 => Pod("web-1");

    public LabPod Web2 => Pod("web-2");

    public LabPod Client => Pod("client-1");

    public LabPod OptOut => Pod("optout-1");

    public LabPod Legacy => Pod("legacy-1");

    public string PinDirectory => $"/sys/fs/bpf/weft/{Node.Name}";

    /// <summary>The agent's state (a generated CA) stays inside the test's temporary files.</summary>
    public string StateDir => Path.Combine(Path.GetTempPath(), $"weft-{Lab.Id}-state");

    /// <summary>An operator's root for the embedded CA; null lets the agent generate one in StateDir.</summary>
    public (string Cert, string Key)? CaFiles { get; set; }

    public static async Task<MeshLab> CreateAsync(bool startAgent = true)
    {
        var lab = Weft.Lab.Lab.Create("it");
        MeshLab? mesh = null;
        try
        {
            var node = lab.AddNode("node");
            mesh = new MeshLab(lab, node, Path.Combine(Path.GetTempPath(), $"weft-{lab.Id}-config.yaml"));
            lab.AddPod(node, "web-1", IPAddress.Parse("10.77.0.2"));
            lab.AddPod(node, "web-2", IPAddress.Parse("10.77.0.3"));
            lab.AddPod(node, "client-1", IPAddress.Parse("10.77.0.4"));
            lab.AddPod(node, "optout-1", IPAddress.Parse("10.77.0.5"));
            lab.AddPod(node, "legacy-1", IPAddress.Parse("10.77.0.6"));
            foreach (var name in new[] { "web-1", "web-2", "optout-1", "legacy-1" })
            {
                mesh.servers[name] = mesh.Pod(name).Serve(AppPort, ReplyBytes);
            }

            mesh.WriteConfig(shopEnrolled: true);
            if (startAgent)
            {
                await mesh.StartAgentAsync().ConfigureAwait(false);
            }

            return mesh;
        }
        catch
        {
            if (mesh is not null)
            {
                await mesh.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                lab.Dispose();
            }

            throw;
        }
    }

    public LabPod Pod(string name) => Lab.Pods.Single(p => p.Name == name);

    public LabProcess Server(string name) => servers[name];

    public MeshConfigBuilder Config(bool shopEnrolled, bool legacyAmbient = false)
    {
        var shop = shopEnrolled ? MeshConfigBuilder.Labels("weft.io/mesh", "enabled") : [];
        var legacy = legacyAmbient ? MeshConfigBuilder.Labels("istio.io/dataplane-mode", "ambient") : [];
        return new MeshConfigBuilder(Node) { CaFiles = CaFiles, IdentityStateDir = StateDir }
            .Namespace("shop", shop)
            .Namespace("legacy", legacy)
            .Workload(Web1, "shop", "web", MeshConfigBuilder.Labels("app", "web"))
            .Workload(Web2, "shop", "web", MeshConfigBuilder.Labels("app", "web"))
            .Workload(Client, "shop", "client")
            .Workload(OptOut, "shop", "default", MeshConfigBuilder.Labels("weft.io/mesh", "disabled"))
            .Workload(Legacy, "legacy")
            .Service("web", "shop", ServiceVip, 80, AppPort, MeshConfigBuilder.Labels("app", "web"));
    }

    public void WriteConfig(bool shopEnrolled, bool legacyAmbient = false) => Config(shopEnrolled, legacyAmbient).WriteTo(ConfigPath);

    public async Task<LabAgent> StartAgentAsync()
    {
        Agent = await LabAgent.StartAsync(Node, ConfigPath, RepoPaths.AgentBinary).ConfigureAwait(false);
        return Agent;
    }

    /// <summary>Sends from a pod, checks the probe's digests, and returns the server's view of the connection.</summary>
    public async Task<(ProbeResult Result, ServedConnection Served)> SendAsync(LabPod from, IPEndPoint to, string server, long bytes = 1 << 20)
    {
        var result = await from.SendAsync(to, bytes, ReplyBytes).ConfigureAwait(false);
        Assert.True(result.Ok, $"{from.Name} -> {to}: {result.Error}");
        var served = await ServedConnection.WaitForAsync(Server(server), result.Sha256!, Wait).ConfigureAwait(false);
        Assert.Equal(bytes, served.Bytes);
        return (result, served);
    }

    public async ValueTask DisposeAsync()
    {
        if (Agent is { Process.HasExited: false })
        {
            try
            {
                await Agent.StopAsync().ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }

        Agent?.Dispose();
        foreach (var s in servers.Values)
        {
            s.Dispose();
        }

        Lab.Dispose();
        File.Delete(ConfigPath);
        if (Directory.Exists(StateDir))
        {
            Directory.Delete(StateDir, recursive: true);
        }
    }
}
