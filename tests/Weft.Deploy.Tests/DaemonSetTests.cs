using k8s.Models;
using Weft.Agent.Cli;
using Weft.Telemetry;
using Weft.Workloads;

namespace Weft.Deploy.Tests;

public class DaemonSetTests
{
    private static readonly string[] Capabilities = ["BPF", "PERFMON", "NET_ADMIN", "SYS_ADMIN", "SYS_PTRACE"];

    [Fact]
    public void The_agent_is_not_privileged_and_holds_exactly_the_capabilities_it_needs()
    {
        var sc = Deploy.Agent.SecurityContext;
        Assert.False(sc.Privileged);
        Assert.Equal(new[] { "ALL" }, sc.Capabilities.Drop);
        Assert.Equal(Capabilities.Order(StringComparer.Ordinal), sc.Capabilities.Add.Order(StringComparer.Ordinal));
        Assert.Equal(0, sc.RunAsUser);
        Assert.True(sc.ReadOnlyRootFilesystem);
        Assert.Equal("RuntimeDefault", sc.SeccompProfile.Type);

        // Stated, not left to a default: Kubernetes treats it as true whenever SYS_ADMIN is held.
        Assert.True(sc.AllowPrivilegeEscalation);
    }

    [Fact]
    public void Each_added_capability_is_justified_by_a_comment_above_it()
    {
        var lines = File.ReadAllLines(Path.Combine(Deploy.Directory, "daemonset.yaml"));
        foreach (var cap in Capabilities)
        {
            var at = Array.FindIndex(lines, l => l.Trim() == $"- {cap}");
            Assert.True(at > 0, $"capability {cap} not found as a list item");

            // The comment block right above the item begins by naming it.
            var first = at;
            while (first > 0 && lines[first - 1].TrimStart().StartsWith('#'))
            {
                first--;
            }

            Assert.True(first < at, $"capability {cap} has no comment above it");
            Assert.StartsWith($"# {cap}: ", lines[first].Trim(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Bpffs_is_shared_with_host_to_container_propagation_which_needs_no_privileged_mode()
    {
        Assert.All(Deploy.Agent.VolumeMounts, m => Assert.NotEqual("Bidirectional", m.MountPropagation));
        var bpffs = Deploy.Mount("bpffs");
        Assert.Equal(("/sys/fs/bpf", "HostToContainer"), (bpffs.MountPath, bpffs.MountPropagation));
        Assert.Equal("/sys/fs/bpf", Deploy.Volume("bpffs").HostPath.Path);

        // The agent pins under --pin-root (default /sys/fs/bpf/weft): inside the shared bpffs.
        Assert.StartsWith(bpffs.MountPath + "/", Options().PinRoot, StringComparison.Ordinal);
    }

    [Fact]
    public void Apparmor_is_unconfined_for_the_agent_container_only_and_nothing_else_is()
    {
        var annotations = Deploy.DaemonSet.Spec.Template.Metadata.Annotations;
        Assert.Equal("unconfined", annotations[$"container.apparmor.security.beta.kubernetes.io/{Deploy.Agent.Name}"]);
        Assert.Equal("spc_t", Deploy.Agent.SecurityContext.SeLinuxOptions.Type);
    }

    [Fact]
    public void Host_namespaces_dns_priority_and_tolerations()
    {
        var pod = Deploy.Pod;
        Assert.True(pod.HostPID);
        Assert.True(pod.HostNetwork);
        Assert.NotEqual(true, pod.HostIPC);
        Assert.Equal("ClusterFirstWithHostNet", pod.DnsPolicy);
        Assert.Equal("system-node-critical", pod.PriorityClassName);
        Assert.Contains(pod.Tolerations, t => t.OperatorProperty == "Exists" && t.Key is null && t.Effect is null);
    }

    [Fact]
    public void Node_and_pod_names_come_from_the_downward_api()
    {
        var env = Deploy.Agent.Env.ToDictionary(e => e.Name, e => e.ValueFrom?.FieldRef?.FieldPath);
        Assert.Equal("spec.nodeName", env["NODE_NAME"]);
        Assert.Equal("metadata.name", env["POD_NAME"]);
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"]);
    }

    [Fact]
    public void The_istio_ca_token_is_projected_where_the_config_tells_the_agent_to_read_it()
    {
        var token = Assert.Single(Deploy.Volume("istio-token").Projected.Sources).ServiceAccountToken;
        Assert.Equal(("istio-ca", 43200L), (token.Audience, token.ExpirationSeconds));
        var path = Deploy.Mount("istio-token").MountPath + "/" + token.Path;
        Assert.Equal("/var/run/secrets/tokens/istio-token", path);
        Assert.Equal(path, ConfigMapTests.Config.Identity.IstioCa!.TokenFile);
    }

    [Fact]
    public void Istios_root_certificate_is_mounted_where_the_config_names_it()
    {
        Assert.Equal("istio-ca-root-cert", Deploy.Volume("istiod-ca-cert").ConfigMap.Name);
        Assert.Null(Deploy.Volume("istiod-ca-cert").ConfigMap.Items);
        Assert.Equal(Deploy.Mount("istiod-ca-cert").MountPath + "/root-cert.pem", ConfigMapTests.Config.Identity.IstioCa!.RootCert);
    }

    [Fact]
    public void The_hosts_cgroup_hierarchy_is_mounted_read_only_at_the_configs_cgroup_root()
    {
        var cgroup = Deploy.Mount("cgroup");
        Assert.True(cgroup.ReadOnlyProperty);
        Assert.Equal("/sys/fs/cgroup", Deploy.Volume("cgroup").HostPath.Path);
        Assert.Equal(cgroup.MountPath, ConfigMapTests.Config.CgroupRoot);

        // Not over the container's own /sys/fs/cgroup, whose mount the agent reads for its own cgroup id.
        Assert.NotEqual("/sys/fs/cgroup", cgroup.MountPath);
    }

    [Fact]
    public void The_config_file_and_the_run_directory_are_where_the_agent_looks()
    {
        var options = Options();
        Assert.Equal(Deploy.Mount("config").MountPath + "/config.yaml", options.ConfigPath);
        Assert.Equal(Deploy.ConfigMap.Metadata.Name, Deploy.Volume("config").ConfigMap.Name);
        Assert.Contains("config.yaml", Deploy.ConfigMap.Data.Keys);
        Assert.Equal(options.RunDirectory, Deploy.Mount("run").MountPath);
        Assert.Equal("/tmp", Deploy.Mount("tmp").MountPath);
        Assert.NotNull(Deploy.Volume("tmp").EmptyDir);
    }

    [Fact]
    public void Probes_ask_the_ports_and_paths_the_agent_serves()
    {
        var agent = Deploy.Agent;
        var readinessPort = ConfigMapTests.Config.Telemetry.Readiness.Address.Port;
        Assert.Equal(WeftTelemetry.ReadinessPort, readinessPort);
        Assert.Equal(ReadinessSettings.DefaultPort, readinessPort);

        Assert.Equal((WeftTelemetry.ReadinessPath, readinessPort), (agent.ReadinessProbe.HttpGet.Path, Deploy.Port(agent.ReadinessProbe.HttpGet.Port)));
        Assert.Equal((WeftTelemetry.LivenessPath, readinessPort), (agent.LivenessProbe.HttpGet.Path, Deploy.Port(agent.LivenessProbe.HttpGet.Port)));

        // Start-up is judged by liveness too: readiness may wait on the CA for as long as it takes.
        Assert.Equal((WeftTelemetry.LivenessPath, readinessPort), (agent.StartupProbe.HttpGet.Path, Deploy.Port(agent.StartupProbe.HttpGet.Port)));
        Assert.True(agent.StartupProbe.PeriodSeconds * agent.StartupProbe.FailureThreshold >= 60);
    }

    [Fact]
    public void The_metrics_port_and_service_match_the_agents_scrape_endpoint()
    {
        var metricsPort = ConfigMapTests.Config.Telemetry.Prometheus.Address.Port;
        Assert.Equal(WeftTelemetry.MetricsPort, metricsPort);
        Assert.Equal(metricsPort, Assert.Single(Deploy.Agent.Ports, p => p.Name == "http-metrics").ContainerPort);

        // hostNetwork: containerPort is the node's port, and no port may differ from it.
        Assert.All(Deploy.Agent.Ports, p => Assert.True(p.HostPort is null || p.HostPort == p.ContainerPort));

        var service = Deploy.Single<V1Service>();
        Assert.Equal("None", service.Spec.ClusterIP);
        var port = Assert.Single(service.Spec.Ports);
        Assert.Equal(metricsPort, port.Port);
        Assert.Equal("http-metrics", port.TargetPort.Value);
        Assert.Equal("true", service.Metadata.Annotations["prometheus.io/scrape"]);
        Assert.Equal($"{metricsPort}", service.Metadata.Annotations["prometheus.io/port"]);
        Assert.Contains(service.Metadata.Annotations["prometheus.io/path"], Weft.Telemetry.Prometheus.PrometheusRoutes.Paths);
        Assert.All(service.Spec.Selector, kv => Assert.Equal(kv.Value, Deploy.DaemonSet.Spec.Template.Metadata.Labels[kv.Key]));
        Assert.All(Deploy.DaemonSet.Spec.Selector.MatchLabels, kv => Assert.Equal(kv.Value, Deploy.DaemonSet.Spec.Template.Metadata.Labels[kv.Key]));
    }

    [Fact]
    public void Resources_update_strategy_and_the_grace_period_for_draining()
    {
        var resources = Deploy.Agent.Resources;
        Assert.Equal("100m", resources.Requests["cpu"].ToString());
        Assert.Equal("128Mi", resources.Requests["memory"].ToString());
        Assert.Equal("512Mi", resources.Limits["memory"].ToString());

        var update = Deploy.DaemonSet.Spec.UpdateStrategy;
        Assert.Equal("RollingUpdate", update.Type);
        Assert.Equal("1", update.RollingUpdate.MaxUnavailable.Value);
        Assert.Equal("0", update.RollingUpdate.MaxSurge.Value);

        // SIGTERM: the agent drains for --drain seconds, and its host gives the rest 10 s more.
        Assert.True(Deploy.Pod.TerminationGracePeriodSeconds >= Options().DrainTimeout.TotalSeconds + 10);
    }

    /// <summary>The container's command line (the image's ENTRYPOINT and the DaemonSet's args) through the agent's own parser.</summary>
    internal static AgentOptions Options() => DockerfileTests.ParseCommandLine();
}
