using System.Net;
using Weft.Lab.Mesh;
using Weft.Tests.Shared;

namespace Weft.Integration.Tests;

/// <summary>
/// The agent's life on a node: enrolment following the config at run time, SIGTERM, a crash
/// and restart, namespaces that vanish, bad configs, missing privileges. Each test gets its
/// own lab and agent.
/// </summary>
public sealed class LifecycleTests
{
    private const int StaleRemoved = 1003;
    private const int ConfigRejected = 4003;

    [RootFact]
    public async Task Flipping_namespace_labels_enrols_and_releases_pods_at_run_time()
    {
        await using var mesh = await MeshLab.CreateAsync();
        var agent = mesh.Agent!;
        var web1 = new IPEndPoint(mesh.Web1.Address, MeshLab.AppPort);
        await AssertCapturedAsync(mesh, mesh.Client, web1, "web-1");

        // Off: shop's pods are released and talk directly.
        mesh.WriteConfig(shopEnrolled: false);
        foreach (var pod in new[] { "shop/client-1", "shop/web-1", "shop/web-2" })
        {
            await agent.WaitForAsync(LabAgent.PodReleased, e => e["Pod"] == pod, MeshLab.Wait);
        }

        await AssertDirectAsync(mesh, mesh.Client, web1, "web-1");

        // Istio's ambient label enrols the legacy namespace too; shop stays out.
        mesh.WriteConfig(shopEnrolled: false, legacyAmbient: true);
        await agent.WaitForAsync(LabAgent.PodEnrolled, e => e["Pod"] == "legacy/legacy-1", MeshLab.Wait);
        var optout = new IPEndPoint(mesh.OptOut.Address, MeshLab.AppPort);
        var (result, _) = await mesh.SendAsync(mesh.Legacy, optout, "optout-1");
        await agent.WaitForAccessAsync(r => r.Direction == "outbound" && r.SourceWorkload == "legacy/legacy-1" && r.SourceAddress.EndsWith(result.Local![result.Local!.LastIndexOf(':')..], StringComparison.Ordinal), 1, MeshLab.Wait);

        // On again: shop's pods come back; legacy-1 is released; nobody else is touched twice.
        mesh.WriteConfig(shopEnrolled: true);
        await agent.WaitForAsync(LabAgent.PodEnrolled, e => e["Pod"] == "shop/client-1" && agent.Log.Count(x => x.EventId == LabAgent.PodEnrolled && x["Pod"] == "shop/client-1") == 2, MeshLab.Wait);
        await agent.WaitForAsync(LabAgent.PodReleased, e => e["Pod"] == "legacy/legacy-1", MeshLab.Wait);
        await AssertCapturedAsync(mesh, mesh.Client, web1, "web-1");
        Assert.Single(agent.Log, e => e.EventId == LabAgent.PodEnrolled && e["Pod"] == "legacy/legacy-1");
        Assert.DoesNotContain(agent.Log, e => e.EventId == LabAgent.PodEnrolled && e["Pod"] == "shop/optout-1");
    }

    [RootFact]
    public async Task Sigterm_detaches_everything_and_pods_talk_directly_again()
    {
        await using var mesh = await MeshLab.CreateAsync();
        var web1 = new IPEndPoint(mesh.Web1.Address, MeshLab.AppPort);
        var web1Netns = HostTools.NetnsInode(mesh.Web1.NetnsPath);
        Assert.Contains("weft_connect4", HostTools.CgroupPrograms(mesh.Node.CgroupPath), StringComparison.Ordinal);
        Assert.True(HostTools.HasSkLookup(web1Netns));
        Assert.NotEmpty(Directory.GetFileSystemEntries(mesh.PinDirectory));

        Assert.Equal(0, await mesh.Agent!.StopAsync());

        Assert.False(Directory.Exists(mesh.PinDirectory), "pinned maps left behind");
        Assert.DoesNotContain("weft_", HostTools.CgroupPrograms(mesh.Node.CgroupPath), StringComparison.Ordinal);
        Assert.False(HostTools.HasSkLookup(web1Netns), "sk_lookup still attached to web-1's namespace");
        await AssertDirectAsync(mesh, mesh.Client, web1, "web-1");
        await AssertDirectAsync(mesh, mesh.Legacy, web1, "web-1");
    }

    [RootFact]
    public async Task After_a_crash_a_restarted_agent_removes_stale_state_and_captures_again()
    {
        await using var mesh = await MeshLab.CreateAsync();
        var web1 = new IPEndPoint(mesh.Web1.Address, MeshLab.AppPort);
        await mesh.Agent!.CrashAsync();

        // The kernel dropped the links with the process; the pins stay until someone removes them.
        Assert.DoesNotContain("weft_", HostTools.CgroupPrograms(mesh.Node.CgroupPath), StringComparison.Ordinal);
        Assert.NotEmpty(Directory.GetFileSystemEntries(mesh.PinDirectory));
        await AssertDirectAsync(mesh, mesh.Client, web1, "web-1");

        var agent = await mesh.StartAgentAsync();
        Assert.Contains(agent.Log, e => e.EventId == StaleRemoved);
        await AssertCapturedAsync(mesh, mesh.Client, web1, "web-1");
    }

    [RootFact]
    public async Task A_vanished_pod_namespace_is_released_without_disturbing_other_pods()
    {
        await using var mesh = await MeshLab.CreateAsync();
        var agent = mesh.Agent!;
        HostTools.Run("ip", "netns", "delete", mesh.Web2.NetnsName);

        var released = await agent.WaitForAsync(LabAgent.PodReleased, e => e["Pod"] == "shop/web-2", MeshLab.Wait);
        Assert.Contains("gone", released["Reason"], StringComparison.Ordinal);
        await AssertCapturedAsync(mesh, mesh.Client, new IPEndPoint(mesh.Web1.Address, MeshLab.AppPort), "web-1");
        Assert.DoesNotContain(agent.Log, e => e.EventId == LabAgent.PodReleased && e["Pod"] != "shop/web-2");
    }

    [RootFact]
    public async Task A_bad_edit_keeps_the_last_good_config_until_it_is_fixed()
    {
        await using var mesh = await MeshLab.CreateAsync();
        var agent = mesh.Agent!;
        var good = mesh.Config(shopEnrolled: false).ToYaml();
        var broken = good.Replace("addresses: [10.77.0.4", "addresses: [10.77.0.x", StringComparison.Ordinal);
        Assert.NotEqual(good, broken);
        await File.WriteAllTextAsync(mesh.ConfigPath, broken);

        var rejected = await agent.WaitForAsync(ConfigRejected, _ => true, MeshLab.Wait);
        Assert.Contains(mesh.ConfigPath, rejected.Message, StringComparison.Ordinal);
        Assert.Contains("10.77.0.x", rejected.Message, StringComparison.Ordinal);
        await AssertCapturedAsync(mesh, mesh.Client, new IPEndPoint(mesh.Web1.Address, MeshLab.AppPort), "web-1");
        Assert.DoesNotContain(agent.Log, e => e.EventId == LabAgent.PodReleased);

        await File.WriteAllTextAsync(mesh.ConfigPath, good);
        await agent.WaitForAsync(LabAgent.PodReleased, e => e["Pod"] == "shop/client-1", MeshLab.Wait);
    }

    [RootFact]
    public async Task A_malformed_config_stops_the_agent_from_starting_naming_file_line_and_field()
    {
        await using var mesh = await MeshLab.CreateAsync(startAgent: false);
        var lines = mesh.Config(shopEnrolled: true).ToYaml().Split('\n').ToList();
        var line = lines.FindIndex(l => l.Contains("addresses: [10.77.0.2", StringComparison.Ordinal));
        lines[line] = lines[line].Replace("10.77.0.2", "10.77.0.300", StringComparison.Ordinal);
        await File.WriteAllTextAsync(mesh.ConfigPath, string.Join('\n', lines));

        var (code, _, stderr) = HostTools.TryRun(RepoPaths.AgentBinary, "agent", "--config", mesh.ConfigPath);
        Assert.Equal(1, code);
        Assert.Contains($"{mesh.ConfigPath}:{line + 1}:", stderr, StringComparison.Ordinal);
        Assert.Contains("workloads[0].addresses[0]", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(mesh.PinDirectory));
    }

    [RootFact]
    public async Task Missing_privileges_files_and_kernel_features_are_one_clear_sentence()
    {
        await using var mesh = await MeshLab.CreateAsync();

        var asNobody = HostTools.TryRun("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", RepoPaths.AgentBinary, "agent", "--config", mesh.ConfigPath);
        AssertOneSentence(asNobody, "must run as root");

        var noObject = HostTools.TryRun(RepoPaths.AgentBinary, "agent", "--config", mesh.ConfigPath, "--bpf-object", "/nonexistent/weft.bpf.o", "--run-dir", "/run/weft-it-" + mesh.Lab.Id);
        AssertOneSentence(noObject, "/nonexistent/weft.bpf.o does not exist: build it with 'make build'");

        var notCgroup2 = Path.Combine(Path.GetTempPath(), $"weft-{mesh.Lab.Id}-notcg.yaml");
        try
        {
            await File.WriteAllTextAsync(notCgroup2, $"node: other-{mesh.Lab.Id}\ncgroupRoot: /tmp\n");
            AssertOneSentence(HostTools.TryRun(RepoPaths.AgentBinary, "agent", "--config", notCgroup2), "/tmp is not on a cgroup v2 file system");
        }
        finally
        {
            File.Delete(notCgroup2);
        }

        // The node's agent is running: a second one for the same node must not start.
        AssertOneSentence(HostTools.TryRun(RepoPaths.AgentBinary, "agent", "--config", mesh.ConfigPath), "Another weft agent already runs for node");
        await AssertCapturedAsync(mesh, mesh.Client, new IPEndPoint(mesh.Web1.Address, MeshLab.AppPort), "web-1");
    }

    [RootFact]
    public async Task The_agents_own_network_namespace_is_never_enrolled()
    {
        await using var mesh = await MeshLab.CreateAsync();
        var agent = mesh.Agent!;
        mesh.Config(shopEnrolled: true).ExtraWorkload("hostnet", "shop", IPAddress.Parse("10.77.0.99"), "/proc/self/ns/net").WriteTo(mesh.ConfigPath);

        AgentLogEntry failed;
        try
        {
            failed = await agent.WaitForAsync(3003, e => e["Pod"] == "shop/hostnet", MeshLab.Wait);
        }
        catch (TimeoutException)
        {
            Assert.Fail(string.Join('\n', agent.Process.StdoutLines.TakeLast(8)));
            throw;
        }

        Assert.Contains("agent's own network namespace", failed["Error"], StringComparison.Ordinal);
        await AssertCapturedAsync(mesh, mesh.Client, new IPEndPoint(mesh.Web1.Address, MeshLab.AppPort), "web-1");
    }

    [RootFact]
    public async Task Each_enrolled_identity_gets_its_certificate_from_the_operators_root_at_enrolment()
    {
        await using var mesh = await MeshLab.CreateAsync(startAgent: false);

        // The operator's root, made with OpenSSL (an independent implementation), not by us.
        var dir = Directory.CreateDirectory(mesh.StateDir + "-ca").FullName;
        try
        {
            var (cert, key) = (Path.Combine(dir, "ca.crt"), Path.Combine(dir, "ca.key"));
            HostTools.Run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key, "-out", cert, "-days", "30", "-subj", "/O=weft-test/CN=operator root",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
            mesh.CaFiles = (cert, key);
            mesh.WriteConfig(shopEnrolled: true);
            var agent = await mesh.StartAgentAsync();

            // shop's service accounts web and client; not legacy's or the opted-out pod's.
            var web = await agent.WaitForAsync(6002, e => e["Identity"] == "spiffe://cluster.local/ns/shop/sa/web", MeshLab.Wait);
            await agent.WaitForAsync(6002, e => e["Identity"] == "spiffe://cluster.local/ns/shop/sa/client", MeshLab.Wait);
            Assert.Contains(agent.Log, e => e.EventId == 6001 && e["CertFile"] == cert);
            Assert.DoesNotContain(agent.Log, e => e.EventId == 6002 && e["Identity"].Contains("/ns/legacy/", StringComparison.Ordinal));
            Assert.DoesNotContain(agent.Log, e => e.EventId == 6002 && e["Identity"].EndsWith("/sa/default", StringComparison.Ordinal));
            Assert.True(DateTimeOffset.Parse(web["NotAfter"], System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddHours(23));
            Assert.False(Directory.Exists(Path.Combine(mesh.StateDir, "ca")), "a CA was generated although the operator gave one");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void AssertOneSentence((int Code, string Stdout, string Stderr) run, string expected)
    {
        Assert.True(run.Code == 1, $"exit code {run.Code}, stderr: {run.Stderr}");
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    private static async Task AssertCapturedAsync(MeshLab mesh, Weft.Lab.LabPod from, IPEndPoint to, string server)
    {
        var before = mesh.Agent!.AccessLog.Count;
        var (result, served) = await mesh.SendAsync(from, to, server);
        Assert.StartsWith("127.0.0.6:", served.Remote, StringComparison.Ordinal);
        var port = result.Local![result.Local!.LastIndexOf(':')..];
        var found = await mesh.Agent!.WaitForAccessAsync(r => r.Direction == "outbound" && r.OriginalDestination == to.ToString() && r.SourceAddress.EndsWith(port, StringComparison.Ordinal), 1, MeshLab.Wait, before);
        Assert.Single(found);
    }

    private static async Task AssertDirectAsync(MeshLab mesh, Weft.Lab.LabPod from, IPEndPoint to, string server)
    {
        var (result, served) = await mesh.SendAsync(from, to, server);
        Assert.Equal($"{from.Address}", served.Remote[..served.Remote.LastIndexOf(':')]);
        Assert.Equal(to.ToString(), result.Remote);
    }

    [RootFact]
    public async Task Readiness_waits_for_every_enrolled_pods_certificate()
    {
        await using var mesh = await MeshLab.CreateAsync(startAgent: false);

        await StartWithSilentCaAsync(mesh);

        var (status, body) = await ReadinessAsync(mesh, _ => true);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith("not ready: no certificate yet for spiffe://cluster.local/ns/shop/sa/", body, StringComparison.Ordinal);

        // The same node with the embedded CA becomes ready.
        await mesh.Agent!.StopAsync();
        mesh.WriteConfig(shopEnrolled: true);
        await mesh.StartAgentAsync();
        Assert.Equal("ready\n", (await ReadinessAsync(mesh, s => s == System.Net.HttpStatusCode.OK)).Body);
    }

    [RootFact]
    public async Task Liveness_answers_while_readiness_waits_for_the_CA()
    {
        await using var mesh = await MeshLab.CreateAsync(startAgent: false);

        // Not ready, but alive: a liveness probe must not restart an agent waiting on its CA.
        await StartWithSilentCaAsync(mesh);

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await ReadinessAsync(mesh, _ => true)).Status);
        using var http = LoopbackPort.Client();
        using var live = await http.GetAsync($"http://127.0.0.1:{mesh.Node.TelemetryPorts.Readiness}/healthz/live");
        Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("live\n", await live.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Starts the agent with a CA that never answers (nothing listens on the port) and waits until
    /// web-1 is enrolled: the pods enrol, their certificates never come.
    /// </summary>
    private static async Task StartWithSilentCaAsync(MeshLab mesh)
    {
        var config = mesh.Config(shopEnrolled: true);
        config.IstioCaAddress = new Uri($"https://127.0.0.1:{LoopbackPort.Free()}");
        config.WriteTo(mesh.ConfigPath);
        await mesh.StartAgentAsync();
        await mesh.Agent!.WaitForAsync(LabAgent.PodEnrolled, e => e["Pod"] == "shop/web-1", MeshLab.Wait);
    }

    /// <summary>Asks /healthz/ready until the endpoint answers with a status <paramref name="wanted"/> accepts (it starts just after the agent).</summary>
    private static async Task<(System.Net.HttpStatusCode Status, string Body)> ReadinessAsync(MeshLab mesh, Func<System.Net.HttpStatusCode, bool> wanted)
    {
        using var http = LoopbackPort.Client();
        var deadline = DateTime.UtcNow + MeshLab.Wait;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{mesh.Node.TelemetryPorts.Readiness}/healthz/ready");
                var body = await response.Content.ReadAsStringAsync();
                if (wanted(response.StatusCode) || DateTime.UtcNow > deadline)
                {
                    return (response.StatusCode, body);
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }
    }
}
