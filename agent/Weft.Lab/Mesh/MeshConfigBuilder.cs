using System.Globalization;
using System.Net;
using System.Text;

namespace Weft.Lab.Mesh;

/// <summary>Writes the agent's local config (docs/config.md) for pods of a lab.</summary>
public sealed class MeshConfigBuilder(string node, string cgroupRoot)
{
    /// <summary>For a lab node: its name, cgroup, and its own loopback telemetry ports.</summary>
    public MeshConfigBuilder(LabNode labNode)
        : this(labNode?.Name ?? throw new ArgumentNullException(nameof(labNode)), labNode.CgroupPath)
    {
        TelemetryPorts = labNode.TelemetryPorts;
    }

    /// <summary>telemetry endpoints on 127.0.0.1 at these ports; the agent's defaults (all addresses, 15020...) when null.</summary>
    public (int Metrics, int Readiness, int Admin)? TelemetryPorts { get; set; }

    /// <summary>Extra lines inside the telemetry section (otlp, tracing), in docs/config.md's syntax, indented by two.</summary>
    public string? TelemetryYaml { get; set; }

    private readonly List<(string Name, IReadOnlyDictionary<string, string> Labels)> namespaces = [];
    private readonly List<(LabPod Pod, string Namespace, string ServiceAccount, IReadOnlyDictionary<string, string> Labels)> workloads = [];
    private readonly List<(string Name, string Namespace, IPAddress Vip, int Port, int TargetPort, IReadOnlyDictionary<string, string> Selector)> services = [];
    private readonly List<(string Name, string Namespace, IPAddress Address, string Netns)> extraWorkloads = [];

    public List<int> ExcludePorts { get; } = [];

    /// <summary>identity.stateDir: where a generated CA goes (keep it inside the lab's temp files).</summary>
    public string? IdentityStateDir { get; set; }

    /// <summary>identity.ca: an operator's root, shared by every node's agent.</summary>
    public (string Cert, string Key)? CaFiles { get; set; }

    public List<string> ExcludeCidrs { get; } = [];

    /// <summary>identity.istioCa.address: certificates from an Istio-compatible CA there instead of the embedded one.</summary>
    public Uri? IstioCaAddress { get; set; }

    /// <summary>identity.certificateTtl, e.g. "30s" for rotation tests; the agent's default (24h) when null.</summary>
    public string? CertificateTtl { get; set; }

    /// <summary>Top-level sections written as given (policies, mtls), in docs/config.md's syntax.</summary>
    public string? PolicyYaml { get; set; }

    public MeshConfigBuilder Namespace(string name, IReadOnlyDictionary<string, string>? labels = null)
    {
        namespaces.RemoveAll(n => n.Name == name);
        namespaces.Add((name, labels ?? new Dictionary<string, string>()));
        return this;
    }

    public MeshConfigBuilder Workload(LabPod pod, string ns, string serviceAccount = "default", IReadOnlyDictionary<string, string>? labels = null)
    {
        workloads.Add((pod, ns, serviceAccount, labels ?? new Dictionary<string, string>()));
        return this;
    }

    /// <summary>A workload that is not a lab pod (any netns path), on this builder's node.</summary>
    public MeshConfigBuilder ExtraWorkload(string name, string ns, IPAddress address, string netns)
    {
        extraWorkloads.Add((name, ns, address, netns));
        return this;
    }

    public MeshConfigBuilder Service(string name, string ns, IPAddress vip, int port, int targetPort, IReadOnlyDictionary<string, string> selector)
    {
        services.Add((name, ns, vip, port, targetPort, selector));
        return this;
    }

    public static Dictionary<string, string> Labels(params string[] keyValues)
    {
        ArgumentNullException.ThrowIfNull(keyValues);
        var d = new Dictionary<string, string>();
        for (var i = 0; i + 1 < keyValues.Length; i += 2)
        {
            d[keyValues[i]] = keyValues[i + 1];
        }

        return d;
    }

    /// <summary>
    /// The settings file of `weft agent --kubernetes`: no node, namespaces, workloads or services
    /// (the API server has those), the rest as standalone.
    /// </summary>
    public bool KubernetesMode { get; set; }

    public string ToYaml()
    {
        var y = new StringBuilder();
        if (!KubernetesMode)
        {
            y.Append(CultureInfo.InvariantCulture, $"node: {node}\n");
        }

        y.Append(CultureInfo.InvariantCulture, $"trustDomain: cluster.local\ncgroupRoot: {cgroupRoot}\n");
        if (ExcludePorts.Count > 0 || ExcludeCidrs.Count > 0)
        {
            y.Append("capture:\n");
            y.Append(CultureInfo.InvariantCulture, $"  excludePorts: [{string.Join(", ", ExcludePorts)}]\n");
            y.Append(CultureInfo.InvariantCulture, $"  excludeCidrs: [{string.Join(", ", ExcludeCidrs.Select(c => $"\"{c}\""))}]\n");
        }

        if (IdentityStateDir is not null || CaFiles is not null || CertificateTtl is not null || IstioCaAddress is not null)
        {
            y.Append("identity:\n");
            if (IstioCaAddress is not null)
            {
                y.Append(CultureInfo.InvariantCulture, $"  istioCa: {{ address: \"{IstioCaAddress}\" }}\n");
            }

            if (CaFiles is { } ca)
            {
                y.Append(CultureInfo.InvariantCulture, $"  ca: {{ cert: {ca.Cert}, key: {ca.Key} }}\n");
            }

            if (IdentityStateDir is not null)
            {
                y.Append(CultureInfo.InvariantCulture, $"  stateDir: {IdentityStateDir}\n");
            }

            if (CertificateTtl is not null)
            {
                y.Append(CultureInfo.InvariantCulture, $"  certificateTtl: {CertificateTtl}\n");
            }
        }

        if (!KubernetesMode)
        {
            AppendInventory(y);
        }

        if (TelemetryPorts is { } ports)
        {
            y.Append(CultureInfo.InvariantCulture, $"telemetry:\n  prometheus: {{ address: \"127.0.0.1:{ports.Metrics}\" }}\n");
            y.Append(CultureInfo.InvariantCulture, $"  readiness: {{ address: \"127.0.0.1:{ports.Readiness}\" }}\n  admin: {{ address: \"127.0.0.1:{ports.Admin}\" }}\n");
            if (TelemetryYaml is not null)
            {
                y.Append(TelemetryYaml.TrimEnd()).Append('\n');
            }
        }

        if (PolicyYaml is not null)
        {
            y.Append(PolicyYaml.TrimEnd()).Append('\n');
        }

        return y.ToString();
    }

    /// <summary>The namespaces, workloads and services sections (standalone only).</summary>
    private void AppendInventory(StringBuilder y)
    {
        y.Append("namespaces:\n");
        foreach (var (name, labels) in namespaces)
        {
            y.Append(CultureInfo.InvariantCulture, $"  - name: {name}\n    labels: {Map(labels)}\n");
        }

        y.Append("workloads:\n");
        foreach (var (pod, ns, sa, labels) in workloads)
        {
            var addresses = pod.Address6 is null ? $"{pod.Address}" : $"{pod.Address}, \"{pod.Address6}\"";
            y.Append(CultureInfo.InvariantCulture, $"  - uid: {ns}/{pod.Name}\n    name: {pod.Name}\n    namespace: {ns}\n    serviceAccount: {sa}\n");
            y.Append(CultureInfo.InvariantCulture, $"    labels: {Map(labels)}\n    addresses: [{addresses}]\n    netns: {pod.NetnsPath}\n    node: {pod.Node.Name}\n");
        }

        foreach (var (name, ns, address, netns) in extraWorkloads)
        {
            y.Append(CultureInfo.InvariantCulture, $"  - uid: {ns}/{name}\n    name: {name}\n    namespace: {ns}\n    addresses: [{address}]\n    netns: {netns}\n    node: {node}\n");
        }

        y.Append("services:\n");
        foreach (var (name, ns, vip, port, target, selector) in services)
        {
            y.Append(CultureInfo.InvariantCulture, $"  - name: {name}\n    namespace: {ns}\n    addresses: [{vip}]\n    ports: {{ {port}: {target} }}\n    selector: {Map(selector)}\n");
        }
    }

    /// <summary>Writes the config atomically (rename over), as an operator's tooling would.</summary>
    public void WriteTo(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, ToYaml());
        File.Move(tmp, path, overwrite: true);
    }

    private static string Map(IReadOnlyDictionary<string, string> m) =>
        "{ " + string.Join(", ", m.Select(kv => $"\"{kv.Key}\": \"{kv.Value}\"")) + " }";
}
