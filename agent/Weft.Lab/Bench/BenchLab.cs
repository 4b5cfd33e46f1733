using System.Net;
using Weft.Lab.Infra;
using Weft.Lab.Mesh;

namespace Weft.Lab.Bench;

/// <summary>
/// The bench's lab: bench-a and bench-b run agents, bench-c none (the direct and stunnel pods live
/// there, so no capture program ever sees their traffic). bench-a has 10 enrolled pods (the
/// same-node pair, the cross-node client, 7 idle ones), bench-b the cross-node server. Node names
/// differ from the test suite's, so pins (/sys/fs/bpf/weft/&lt;node&gt;) and locks never collide.
/// </summary>
internal sealed class BenchLab : IDisposable
{
    public const int ProbePort = 8080;
    private const string Ns = "bench";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly List<IDisposable> owned = [];

    private BenchLab(Lab lab, string dir)
    {
        Lab = lab;
        Dir = dir;
        NodeA = lab.AddNode("bench-a");
        NodeB = lab.AddNode("bench-b");
        NodeC = lab.AddNode("bench-c");
        DirectClient = lab.AddPod(NodeC, "direct-c", IPAddress.Parse("10.77.0.10"));
        DirectServer = lab.AddPod(NodeC, "direct-s", IPAddress.Parse("10.77.0.11"));
        TlsClient = lab.AddPod(NodeC, "tls-c", IPAddress.Parse("10.77.0.12"));
        TlsServer = lab.AddPod(NodeC, "tls-s", IPAddress.Parse("10.77.0.13"));
        SameClient = lab.AddPod(NodeA, "same-c", IPAddress.Parse("10.77.0.20"));
        SameServer = lab.AddPod(NodeA, "same-s", IPAddress.Parse("10.77.0.21"));
        CrossClient = lab.AddPod(NodeA, "cross-c", IPAddress.Parse("10.77.0.22"));
        Idle = [.. Enumerable.Range(1, 7).Select(i => lab.AddPod(NodeA, $"idle-{i}", IPAddress.Parse($"10.77.0.{30 + i}")))];
        CrossServer = lab.AddPod(NodeB, "cross-s", IPAddress.Parse("10.77.0.40"));
    }

    public Lab Lab { get; }

    public string Dir { get; }

    public LabNode NodeA { get; }

    public LabNode NodeB { get; }

    public LabNode NodeC { get; }

    public LabPod DirectClient { get; }

    public LabPod DirectServer { get; }

    public LabPod TlsClient { get; }

    public LabPod TlsServer { get; }

    public LabPod SameClient { get; }

    public LabPod SameServer { get; }

    public LabPod CrossClient { get; }

    public LabPod CrossServer { get; }

    public IReadOnlyList<LabPod> Idle { get; }

    public LabAgent? AgentA { get; private set; }

    public LabAgent? AgentB { get; private set; }

    public StunnelPair? Stunnel { get; private set; }

    /// <summary>Enrolled pods per agent node: the idle-memory figure is for bench-a's 10.</summary>
    public IReadOnlyList<LabPod> EnrolledOn(LabNode node) => [.. Lab.Pods.Where(p => p.Node == node)];

    public static BenchLab Create()
    {
        var lab = Lab.Create("bench");
        try
        {
            return new BenchLab(lab, Directory.CreateTempSubdirectory($"weft-{lab.Id}-bench-").FullName);
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>The servers in every server pod, the stunnel pair, then both agents, ready with every pod enrolled.</summary>
    public async Task StartAsync()
    {
        foreach (var pod in new[] { DirectServer, TlsServer, SameServer, CrossServer })
        {
            owned.Add(await Iperf.ServeAsync(pod).ConfigureAwait(false));
            owned.Add(await Sockperf.ServeAsync(pod).ConfigureAwait(false));
            owned.Add(pod.Serve(ProbePort));
        }

        Stunnel = await StunnelPair.StartAsync(TlsClient, TlsServer, [Iperf.Port, Sockperf.Port, ProbePort], Dir).ConfigureAwait(false);
        owned.Add(Stunnel);

        var caKey = Path.Combine(Dir, "ca.key");
        var caCert = Path.Combine(Dir, "ca.crt");
        Command.Run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", caKey, "-out", caCert, "-days", "1", "-subj", "/O=weft-bench/CN=bench root",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        foreach (var node in new[] { NodeA, NodeB })
        {
            var config = new MeshConfigBuilder(node) { CaFiles = (caCert, caKey), IdentityStateDir = Path.Combine(Dir, node.Name + "-state") }
                .Namespace(Ns, MeshConfigBuilder.Labels("weft.io/mesh", "enabled"));
            foreach (var pod in EnrolledOn(NodeA).Concat(EnrolledOn(NodeB)))
            {
                config.Workload(pod, Ns, pod.Name.EndsWith("-s", StringComparison.Ordinal) ? "server" : "client");
            }

            config.WriteTo(Path.Combine(Dir, node.Name + ".yaml"));
        }

        AgentA = await StartAgentAsync(NodeA).ConfigureAwait(false);
        AgentB = await StartAgentAsync(NodeB).ConfigureAwait(false);
    }

    /// <summary>SIGTERM to the agents, so they release the pods and remove their pins as in production.</summary>
    public async Task StopAgentsAsync()
    {
        foreach (var agent in new[] { AgentA, AgentB }.OfType<LabAgent>())
        {
            await agent.StopAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        owned.ForEach(o => o.Dispose());
        Lab.Dispose();
        Directory.Delete(Dir, recursive: true);
    }

    private async Task<LabAgent> StartAgentAsync(LabNode node)
    {
        var agent = await LabAgent.StartAsync(node, Path.Combine(Dir, node.Name + ".yaml")).ConfigureAwait(false);
        owned.Add(agent);
        foreach (var pod in EnrolledOn(node))
        {
            await agent.WaitForAsync(LabAgent.PodEnrolled, e => e["Pod"] == $"{Ns}/{pod.Name}", Wait).ConfigureAwait(false);
        }

        var deadline = DateTime.UtcNow + Wait;
        while (!await AgentMetrics.ReadyAsync(node).ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline || agent.Process.HasExited)
            {
                throw new LabCommandException($"agent on {node.Name} not ready within {Wait.TotalSeconds} s; stderr: {agent.Process.Stderr.Trim()}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        return agent;
    }
}
