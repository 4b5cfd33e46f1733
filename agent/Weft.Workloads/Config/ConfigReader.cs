using System.Collections.Frozen;
using System.Collections.ObjectModel;
using System.Net;
using YamlDotNet.RepresentationModel;

namespace Weft.Workloads;

/// <summary>
/// Maps the YAML tree onto the model, validating as it goes. Sections are read in a fixed order
/// (namespaces, workloads, services, policies, mtls) so duplicate checks can point back at the first
/// occurrence; rootNamespace is read before policies, which depend on it.
/// </summary>
internal sealed partial class ConfigReader(NodeReader reader, ConfigMode mode)
{
    private const string NameRule = "is not a valid name: use lowercase letters, digits, '-' and '.', beginning and ending with a letter or digit";
    private const string LabelRule = "is not a valid name: use at most 63 lowercase letters, digits and '-', beginning and ending with a letter or digit";
    private const string TrustDomainRule = "is not a valid trust domain: use lowercase letters, digits, '.', '-' and '_'";
    private const string PathRule = "is not an absolute path";
    private const string UrlRule = "is not an http(s) URL";

    private static readonly string[] RootFields =
        ["node", "trustDomain", "cgroupRoot", "rootNamespace", "capture", "identity", "telemetry", "namespaces", "workloads", "services", "policies", "mtls"];
    // Kubernetes mode: the API server and NODE_NAME say these.
    private static readonly string[] ClusterFields = ["node", "namespaces", "workloads", "services"];
    private static readonly string[] CaptureFields = ["excludePorts", "excludeCidrs"];
    private static readonly string[] NamespaceFields = ["name", "labels"];
    private static readonly string[] WorkloadFields = ["uid", "name", "namespace", "serviceAccount", "labels", "addresses", "netns", "node"];
    private static readonly string[] ServiceFields = ["name", "namespace", "addresses", "ports", "selector"];

    // Where each unique thing was first seen (owner, line), so a duplicate can point at it.
    private readonly Dictionary<IPAddress, (string Owner, int Line)> addressOwners = [];
    private readonly Dictionary<string, int> namespaceNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> workloadUids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> workloadNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> serviceNames = new(StringComparer.Ordinal);
    private string thisNode = "";
    private string rootNamespace = LocalConfig.DefaultRootNamespace;

    public LocalConfig Read(YamlNode root)
    {
        var f = reader.Fields(root, "", RootFields);
        if (mode.KubernetesNode is { } kubernetesNode)
        {
            foreach (var key in ClusterFields)
            {
                if (f.Optional(key) is { } refused)
                {
                    throw reader.Error(refused, f.Path(key), key == "node"
                        ? "is not set in Kubernetes mode: the agent takes its node from NODE_NAME (the downward API's spec.nodeName), so one file serves every node"
                        : $"is not set in Kubernetes mode: {key} come from the Kubernetes API server; remove this section");
                }
            }
        }

        var node = mode.KubernetesNode ?? RequiredText(f, "node", ValueSyntax.IsDnsSubdomain, NameRule);
        thisNode = node;
        var trustDomain = OptionalText(f, "trustDomain", ValueSyntax.IsTrustDomain, TrustDomainRule) ?? LocalConfig.DefaultTrustDomain;
        var cgroupRoot = OptionalText(f, "cgroupRoot", ValueSyntax.IsAbsolutePath, PathRule);
        rootNamespace = OptionalText(f, "rootNamespace", ValueSyntax.IsDnsLabel, LabelRule) ?? LocalConfig.DefaultRootNamespace;
        var capture = f.Optional("capture") is { } captureNode ? Capture(captureNode, f.Path("capture")) : CaptureSettings.None;
        var identity = f.Optional("identity") is { } identityNode ? Identity(identityNode, f.Path("identity")) : IdentitySettings.Default;
        var telemetry = f.Optional("telemetry") is { } telemetryNode ? Telemetry(telemetryNode, f.Path("telemetry")) : TelemetrySettings.Default;
        return new LocalConfig
        {
            Node = node,
            TrustDomain = trustDomain,
            CgroupRoot = cgroupRoot,
            Capture = capture,
            Identity = identity,
            Telemetry = telemetry,
            Namespaces = List(f, "namespaces", required: false, Namespace),
            Workloads = List(f, "workloads", required: false, Workload),
            Services = List(f, "services", required: false, Service),
            RootNamespace = rootNamespace,
            Policies = List(f, "policies", required: false, Policy),
            Mtls = List(f, "mtls", required: false, MtlsEntry),
        };
    }

    private CaptureSettings Capture(YamlNode node, string field)
    {
        var f = reader.Fields(node, field, CaptureFields);
        return new CaptureSettings
        {
            ExcludePorts = List(f, "excludePorts", required: false, Port),
            ExcludeCidrs = List(f, "excludeCidrs", required: false, Cidr),
        };
    }

    private NamespaceInfo Namespace(YamlNode node, string field)
    {
        var f = reader.Fields(node, field, NamespaceFields);
        var name = RequiredText(f, "name", ValueSyntax.IsDnsLabel, LabelRule);
        Unique(namespaceNames, name, f, "name", $"namespace \"{name}\" is declared twice");
        return new NamespaceInfo { Name = name, Labels = Labels(f, "labels") };
    }

    private Workload Workload(YamlNode node, string field)
    {
        var f = reader.Fields(node, field, WorkloadFields);
        var uid = RequiredText(f, "uid", _ => true, "");
        Unique(workloadUids, uid, f, "uid", $"duplicate uid \"{uid}\"");
        var name = RequiredText(f, "name", ValueSyntax.IsDnsSubdomain, NameRule);
        var ns = RequiredText(f, "namespace", ValueSyntax.IsDnsLabel, LabelRule);
        Unique(workloadNames, $"{ns}/{name}", f, "name", $"another workload is already named {ns}/{name}");
        var workloadNode = RequiredText(f, "node", ValueSyntax.IsDnsSubdomain, NameRule);

        // Only this node's pods are entered; workloads elsewhere need no namespace path.
        var netns = workloadNode == thisNode
            ? RequiredText(f, "netns", ValueSyntax.IsAbsolutePath, PathRule)
            : OptionalText(f, "netns", ValueSyntax.IsAbsolutePath, PathRule);
        return new Workload
        {
            Uid = uid,
            Name = name,
            Namespace = ns,
            ServiceAccount = OptionalText(f, "serviceAccount", ValueSyntax.IsDnsSubdomain, NameRule) ?? Weft.Workloads.Workload.DefaultServiceAccount,
            Labels = Labels(f, "labels"),
            Addresses = Addresses(f, $"workload {uid}"),
            Netns = netns,
            Node = workloadNode,
        };
    }

    private Service Service(YamlNode node, string field)
    {
        var f = reader.Fields(node, field, ServiceFields);
        var name = RequiredText(f, "name", ValueSyntax.IsDnsLabel, LabelRule);
        var ns = RequiredText(f, "namespace", ValueSyntax.IsDnsLabel, LabelRule);
        Unique(serviceNames, $"{ns}/{name}", f, "name", $"another service is already named {ns}/{name}");
        return new Service
        {
            Name = name,
            Namespace = ns,
            Addresses = Addresses(f, $"service {ns}/{name}"),
            Ports = Ports(f),
            Selector = Labels(f, "selector"),
        };
    }

    private string RequiredText(FieldMap f, string key, Func<string, bool> isValid, string rule) =>
        Text(f.Required(key), f.Path(key), isValid, rule);

    private string? OptionalText(FieldMap f, string key, Func<string, bool> isValid, string rule) =>
        f.Optional(key) is { } node ? Text(node, f.Path(key), isValid, rule) : null;

    private string Text(YamlNode node, string field, Func<string, bool> isValid, string rule)
    {
        var value = reader.Scalar(node, field);
        if (value.Length == 0)
        {
            throw reader.Error(node, field, "must not be empty");
        }

        return isValid(value) ? value : throw reader.Error(node, field, $"\"{value}\" {rule}");
    }

    private ReadOnlyCollection<T> List<T>(FieldMap f, string key, bool required, Func<YamlNode, string, T> item)
    {
        var node = required ? f.Required(key) : f.Optional(key);
        if (node is null)
        {
            return ReadOnlyCollection<T>.Empty;
        }

        var field = f.Path(key);
        var sequence = reader.Sequence(node, field);
        var items = new T[sequence.Children.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = item(sequence.Children[i], FieldPath.Index(field, i));
        }

        return Array.AsReadOnly(items);
    }

    private ReadOnlyCollection<IPAddress> Addresses(FieldMap f, string owner)
    {
        var addresses = List(f, "addresses", required: true, Address);
        if (addresses.Count == 0)
        {
            throw reader.Error(f.Required("addresses"), f.Path("addresses"), "needs at least one address");
        }

        // Claimed only once all parsed: a bad address is reported as such, not as a duplicate.
        var items = (YamlSequenceNode)f.Required("addresses");
        for (var i = 0; i < addresses.Count; i++)
        {
            var line = NodeReader.ToInt(items.Children[i].Start.Line);
            if (addressOwners.TryGetValue(addresses[i], out var first))
            {
                throw reader.Error(items.Children[i], FieldPath.Index(f.Path("addresses"), i),
                    $"{addresses[i]} is already an address of {first.Owner} (line {first.Line})");
            }

            addressOwners.Add(addresses[i], (owner, line));
        }

        return addresses;
    }

    private IPAddress Address(YamlNode node, string field)
    {
        var text = reader.Scalar(node, field);
        if (!ValueSyntax.TryParseAddress(text, out var address))
        {
            throw reader.Error(node, field, $"\"{text}\" is not an IP address");
        }

        return ValueSyntax.Unusable(address) is { } why ? throw reader.Error(node, field, $"{text} {why}") : address;
    }

    private IPNetwork Cidr(YamlNode node, string field) =>
        ValueSyntax.TryParseCidr(reader.Scalar(node, field), out var network, out var error)
            ? network
            : throw reader.Error(node, field, error);

    private int Port(YamlNode node, string field)
    {
        var text = reader.Scalar(node, field);
        return ValueSyntax.TryParsePort(text, out var port) ? port : throw reader.Error(node, field, $"\"{text}\" is not a port (1-65535)");
    }

    /// <summary>YAML's core-schema booleans only: "yes" and "on" are YAML 1.1's, and a reader of the file may not take them as booleans.</summary>
    private bool? OptionalBoolean(FieldMap f, string key)
    {
        if (f.Optional(key) is not { } node)
        {
            return null;
        }

        return reader.Scalar(node, f.Path(key)) switch
        {
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            var text => throw reader.Error(node, f.Path(key), $"\"{text}\" is not a boolean: write true or false"),
        };
    }

    /// <summary>A duration (24h, 90m, 10s) within bounds that each field sets for itself.</summary>
    private TimeSpan Duration(YamlNode node, string field, TimeSpan min, TimeSpan max, string examples)
    {
        var text = reader.Scalar(node, field);
        return DurationSyntax.TryParse(text, out var value) && value >= min && value <= max
            ? value
            : throw reader.Error(node, field,
                $"\"{text}\" is not a duration between {DurationSyntax.Format(min)} and {DurationSyntax.Format(max)} (write e.g. {examples})");
    }

    private FrozenDictionary<int, int> Ports(FieldMap f)
    {
        var field = f.Path("ports");
        var map = reader.Mapping(f.Required("ports"), field, "a mapping of service port to target port, e.g. {80: 8080}");
        if (map.Children.Count == 0)
        {
            throw reader.Error(map, field, "needs at least one port");
        }

        var ports = new Dictionary<int, int>();
        foreach (var (key, value) in map.Children)
        {
            var entry = FieldPath.Entry(field, reader.Scalar(key, field));
            if (!ports.TryAdd(Port(key, entry), Port(value, entry)))
            {
                throw reader.Error(key, entry, "the service port is listed twice");
            }
        }

        return ports.ToFrozenDictionary();
    }

    private FrozenDictionary<string, string> Labels(FieldMap f, string key)
    {
        if (f.Optional(key) is not { } node)
        {
            return FrozenDictionary<string, string>.Empty;
        }

        var field = f.Path(key);
        var map = reader.Mapping(node, field, "a mapping of label names to values");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (nameNode, valueNode) in map.Children)
        {
            var name = reader.Scalar(nameNode, field);
            if (name.Length == 0)
            {
                throw reader.Error(nameNode, field, "label names must not be empty");
            }

            // Kubernetes allows empty label values; YAML writes them as nothing.
            labels[name] = NodeReader.IsNull(valueNode) ? "" : reader.Scalar(valueNode, FieldPath.Entry(field, name));
        }

        return labels.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private void Unique(Dictionary<string, int> seen, string key, FieldMap f, string field, string duplicate)
    {
        var node = f.Required(field);
        if (seen.TryGetValue(key, out var firstLine))
        {
            throw reader.Error(node, f.Path(field), $"{duplicate} (first at line {firstLine})");
        }

        seen.Add(key, NodeReader.ToInt(node.Start.Line));
    }
}
