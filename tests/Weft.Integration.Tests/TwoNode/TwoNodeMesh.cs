using System.Net;
using Weft.Lab;
using Weft.Lab.Mesh;
using Weft.Platform.Netns;
using Weft.Tests.Shared.Kubernetes;
using Weft.Tests.Shared;

namespace Weft.Integration.Tests.TwoNode;

/// <summary>
/// Two lab nodes, each with its own agent, trusting one operator root (made with OpenSSL):
/// node-a: client-a (shop, sa client), web-a (shop, sa web, app=web);
/// node-b: web-b (shop, sa web, app=web), api-b (shop, sa api, app=api), legacy-b (legacy, not in the mesh).
/// Service api 10.96.0.20:80 → api-b:8080. Every pod but client-a serves port 8080.
/// In Kubernetes mode the same cluster lives in a stand-in API server instead of the config files
/// (see TwoNodeMesh.Kubernetes.cs), and the pods' cgroups are laid out as kubelet lays them out.
/// </summary>
public sealed partial class TwoNodeMesh : IAsyncDisposable
{
    public const int AppPort = 8080;
    public const long ReplyBytes = 64 * 1024;
    public const string TrustDomain = "cluster.local";
    public static readonly IPAddress ApiVip = IPAddress.Parse("10.96.0.20");
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, LabProcess> servers = [];
    private readonly string dir;
    private int revision;

    private TwoNodeMesh(Weft.Lab.Lab lab, StandInApiServer? api)
    {
        Lab = lab;
        Api = api;
        dir = Directory.CreateTempSubdirectory($"weft-{lab.Id}-").FullName;
        NodeA = lab.AddNode("node-a");
        NodeB = lab.AddNode("node-b");
    }

    public Weft.Lab.Lab Lab { get; }

    public LabNode NodeA { get; }

    public LabNode NodeB { get; }

    public LabAgent AgentA { get; private set; } = null!;

    public LabAgent AgentB { get; private set; } = null!;

    public LabPod ClientA => Pod("client-a");

    public LabPod WebA => Pod("web-a");

    public LabPod WebB => Pod("web-b");

    public LabPod ApiB => Pod("api-b");

    public LabPod LegacyB => Pod("legacy-b");

    public string CaCert => Path.Combine(dir, "ca.crt");

    public string CaKey => Path.Combine(dir, "ca.key");

    /// <summary>identity.certificateTtl for both agents (null: the default, 24h).</summary>
    public string? CertificateTtl { get; init; }

    /// <summary>Extra lines in both agents' telemetry section (otlp, tracing), as <see cref="MeshConfigBuilder.TelemetryYaml"/>.</summary>
    public string? TelemetryYaml { get; init; }

    public static string Principal(string ns, string sa) => $"spiffe://{TrustDomain}/ns/{ns}/sa/{sa}";

    /// <summary>
    /// Creates the lab and starts both agents, or only node-b's when <paramref name="startAgentA"/> is false (the test runs node-a's itself).
    /// With <paramref name="kubernetes"/>, the agents run `weft agent --kubernetes` against a stand-in API server holding the cluster.
    /// </summary>
    public static async Task<TwoNodeMesh> CreateAsync(string? certificateTtl = null, string? telemetryYaml = null, bool startAgentA = true, bool kubernetes = false)
    {
        // The API server's port first: the nodes pick their telemetry ports as free ones and bind them only
        // when their agents start, so a port taken after them could be one of theirs.
        // Lists answered head first, body 30 ms later, as a busy API server over TLS does: the agent must read them without blocking.
        var api = kubernetes ? new StandInApiServer { ListBodyDelay = TimeSpan.FromMilliseconds(30) } : null;
        var mesh = new TwoNodeMesh(Weft.Lab.Lab.Create(kubernetes ? "k8s" : "hbone"), api) { CertificateTtl = certificateTtl, TelemetryYaml = telemetryYaml };
        try
        {
            api?.WriteKubeconfig(mesh.KubeconfigPath);

            mesh.AddPod(mesh.NodeA, "client-a", "10.77.0.2", PodQosClass.Burstable);
            mesh.AddPod(mesh.NodeA, "web-a", "10.77.0.3", PodQosClass.BestEffort);
            mesh.AddPod(mesh.NodeB, "web-b", "10.77.0.4", PodQosClass.Guaranteed);
            mesh.AddPod(mesh.NodeB, "api-b", "10.77.0.5", PodQosClass.Burstable);
            mesh.AddPod(mesh.NodeB, "legacy-b", "10.77.0.6", PodQosClass.BestEffort);
            mesh.PublishCluster();
            foreach (var name in new[] { "web-a", "web-b", "api-b", "legacy-b" })
            {
                mesh.servers[name] = mesh.Pod(name).Serve(AppPort, ReplyBytes);
            }

            // The operator's root, made by OpenSSL: both agents sign with it, so they trust each other.
            HostTools.Run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", mesh.CaKey, "-out", mesh.CaCert, "-days", "2", "-subj", "/O=weft-test/CN=two-node root",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
            mesh.WriteConfigs(null);
            if (startAgentA)
            {
                mesh.AgentA = await mesh.StartAgentAsync(mesh.NodeA).ConfigureAwait(false);
            }

            mesh.AgentB = await mesh.StartAgentAsync(mesh.NodeB).ConfigureAwait(false);
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public LabPod Pod(string name) => Lab.Pods.Single(p => p.Name == name);

    public LabProcess Server(string name) => servers[name];

    public string ConfigPath(LabNode node) => Path.Combine(dir, node.Name + ".yaml");

    /// <summary>Writes both agents' configs (the same workloads, policies and mTLS modes; each its own node).</summary>
    public void WriteConfigs(string? policyYaml)
    {
        // Each write differs (the agent ignores a rewrite with the same text), so each is applied and says so.
        var policies = $"# revision {++revision}\n{policyYaml}";
        foreach (var node in new[] { NodeA, NodeB })
        {
            var builder = new MeshConfigBuilder(node)
            {
                KubernetesMode = Api is not null,
                CaFiles = (CaCert, CaKey),
                IdentityStateDir = Path.Combine(dir, node.Name + "-state"),
                CertificateTtl = CertificateTtl,
                TelemetryYaml = TelemetryYaml,
                PolicyYaml = policies,
            };
            builder
                .Namespace("shop", MeshConfigBuilder.Labels("weft.io/mesh", "enabled"))
                .Namespace("legacy");

            // The same namespace, service account and labels per pod as the API server's objects (PodObject).
            foreach (var pod in Lab.Pods)
            {
                builder.Workload(pod, NamespaceOf(pod.Name), ServiceAccountOf(pod.Name), LabelsOf(pod.Name));
            }

            builder
                .Service("api", "shop", ApiVip, 80, AppPort, MeshConfigBuilder.Labels("app", "api"))
                .WriteTo(ConfigPath(node));
        }
    }

    /// <summary>Writes new configs and waits until both agents applied them.</summary>
    public async Task ReconfigureAsync(string? policyYaml)
    {
        var (a, b) = (AgentA.LineCount, AgentB.LineCount);
        WriteConfigs(policyYaml);
        await AgentA.WaitForAsync(2, e => true, Wait, a).ConfigureAwait(false);
        await AgentB.WaitForAsync(2, e => true, Wait, b).ConfigureAwait(false);
    }

    /// <summary>Sends from a pod, checks the probe's digests, and returns the server's view of the connection.</summary>
    public async Task<(ProbeResult Result, ServedConnection Served)> SendAsync(LabPod from, IPEndPoint to, string server, long bytes = 1 << 20, string? text = null)
    {
        var result = await from.SendAsync(to, bytes, ReplyBytes, text: text).ConfigureAwait(false);
        Assert.True(result.Ok, $"{from.Name} -> {to}: {result.Error}");
        var served = await ServedConnection.WaitForAsync(Server(server), result.Sha256!, Wait).ConfigureAwait(false);
        Assert.Equal(bytes, served.Bytes);
        return (result, served);
    }

    /// <summary>The access record of <paramref name="agent"/> that matches, waiting for it to be written.</summary>
    public static async Task<AccessRecord> OneAsync(LabAgent agent, Func<AccessRecord, bool> match) =>
        (await agent.WaitForAccessAsync(match, 1, Wait).ConfigureAwait(false))[0];

    /// <summary>Stops the node's agent and starts a new one (<paramref name="waitForPods"/>: until it enrolled the node's shop pods).</summary>
    public async Task<LabAgent> RestartAgentAsync(LabNode node, bool waitForPods)
    {
        var old = node == NodeA ? AgentA : AgentB;
        await old.StopAsync().ConfigureAwait(false);
        old.Dispose();
        var agent = await StartAgentAsync(node, waitForPods).ConfigureAwait(false);
        if (node == NodeA)
        {
            AgentA = agent;
        }
        else
        {
            AgentB = agent;
        }

        return agent;
    }

    /// <summary>A running agent for the node, as this mesh's mode runs it.</summary>
    public async Task<LabAgent> StartAgentAsync(LabNode node, bool waitForPods = true)
    {
        if (Api is null)
        {
            return await LabAgent.StartAsync(node, ConfigPath(node), RepoPaths.AgentBinary).ConfigureAwait(false);
        }

        var agent = await LabAgent.StartAsync(node, ConfigPath(node), RepoPaths.AgentBinary, null,
            "--kubernetes", "--kubeconfig", KubeconfigPath, "--node", node.Name).ConfigureAwait(false);
        if (!waitForPods)
        {
            return agent;
        }

        // Ready to start is not yet enrolled: the pods come with the first complete list from the API server.
        try
        {
            foreach (var pod in node.Pods.Where(p => p.Name != "legacy-b"))
            {
                await agent.WaitForAsync(LabAgent.PodEnrolled, e => e["Pod"] == pod.Kubelet!.Uid, Wait).ConfigureAwait(false);
            }
        }
        catch
        {
            agent.Dispose();
            throw;
        }

        return agent;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in new[] { AgentA, AgentB })
        {
            if (agent is { Process.HasExited: false })
            {
                try
                {
                    await agent.StopAsync().ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }
            }

            agent?.Dispose();
        }

        foreach (var s in servers.Values)
        {
            s.Dispose();
        }

        Lab.Dispose();
        Api?.Dispose();
        Directory.Delete(dir, recursive: true);
    }
}
