using System.Collections.ObjectModel;
using System.Net;
using System.Net.Sockets;
using Weft.Policy;
using YamlDotNet.RepresentationModel;

namespace Weft.Workloads;

/// <summary>
/// The <c>policies</c> section: Istio's AuthorizationPolicy, L4 fields only, with the <c>source:</c> and
/// <c>operation:</c> wrappers left out. Validation follows istiod's where it rejects a policy.
/// </summary>
internal sealed partial class ConfigReader
{
    private static readonly string[] PolicyFields = ["name", "namespace", "selector", "action", "rules"];
    private static readonly string[] RuleFields = ["from", "to"];
    private static readonly string[] SourceFields =
        ["principals", "notPrincipals", "namespaces", "notNamespaces", "serviceAccounts", "notServiceAccounts", "ipBlocks", "notIpBlocks"];
    private static readonly string[] OperationFields = ["ports", "notPorts"];
    private static readonly string[] Actions = ["ALLOW", "DENY"];

    private readonly Dictionary<string, int> policyNames = new(StringComparer.Ordinal);

    private AuthorizationPolicy Policy(YamlNode node, string field)
    {
        var f = reader.Fields(node, field, PolicyFields);
        var name = RequiredText(f, "name", ValueSyntax.IsDnsSubdomain, NameRule);
        var ns = RequiredText(f, "namespace", ValueSyntax.IsDnsLabel, LabelRule);
        Unique(policyNames, $"{ns}/{name}", f, "name", $"another policy is already named {ns}/{name}");

        var selector = Labels(f, "selector");
        if (selector.Count > 0 && ns == rootNamespace)
        {
            throw reader.Error(f.Required("selector"), f.Path("selector"),
                $"a policy in the root namespace \"{rootNamespace}\" applies to the whole mesh and cannot have a selector; put it in the workloads' namespace");
        }

        // Istio's default action is ALLOW.
        var action = f.Optional("action") is { } actionNode && Choice(actionNode, f.Path("action"), Actions, "action") == "DENY"
            ? PolicyAction.Deny
            : PolicyAction.Allow;
        var rules = List(f, "rules", required: false, (n, p) => Rule(n, p, ns));

        // istiod refuses this too: such a DENY can never fire, which is surely not what was meant.
        if (action == PolicyAction.Deny && rules.Count == 0)
        {
            var (at, path) = f.Optional("rules") is { } rulesNode ? (rulesNode, f.Path("rules")) : (node, f.Path("rules"));
            throw reader.Error(at, path, "a DENY policy without rules never matches; write rules: [{}] to deny every connection");
        }

        return new AuthorizationPolicy { Name = name, Namespace = ns, Selector = selector, Action = action, Rules = rules };
    }

    private PolicyRule Rule(YamlNode node, string field, string policyNamespace)
    {
        var f = reader.Fields(node, field, RuleFields);
        return new PolicyRule
        {
            From = NonEmptyList(f, "from", (n, p) => Source(n, p, policyNamespace), "leave out \"from\" to match any source"),
            To = NonEmptyList(f, "to", Operation, "leave out \"to\" to match any port"),
        };
    }

    private PolicySource Source(YamlNode node, string field, string policyNamespace)
    {
        var f = reader.Fields(node, field, SourceFields);
        var source = new PolicySource
        {
            Principals = List(f, "principals", required: false, Principal),
            NotPrincipals = List(f, "notPrincipals", required: false, Principal),
            Namespaces = List(f, "namespaces", required: false, NamespacePattern),
            NotNamespaces = List(f, "notNamespaces", required: false, NamespacePattern),
            ServiceAccounts = List(f, "serviceAccounts", required: false, (n, p) => ServiceAccount(n, p, policyNamespace)),
            NotServiceAccounts = List(f, "notServiceAccounts", required: false, (n, p) => ServiceAccount(n, p, policyNamespace)),
            IpBlocks = List(f, "ipBlocks", required: false, IpBlock),
            NotIpBlocks = List(f, "notIpBlocks", required: false, IpBlock),
        };

        if (source.IsEmpty)
        {
            throw reader.Error(node, field, $"a source needs at least one of {string.Join(", ", SourceFields)}");
        }

        var identities = source.Principals.Count + source.NotPrincipals.Count + source.Namespaces.Count + source.NotNamespaces.Count;
        if (identities > 0 && source.ServiceAccounts.Count + source.NotServiceAccounts.Count > 0)
        {
            var key = source.ServiceAccounts.Count > 0 ? "serviceAccounts" : "notServiceAccounts";
            throw reader.Error(f.Required(key), f.Path(key),
                "cannot be combined with principals or namespaces in one source (Istio refuses it too); use a second source");
        }

        return source;
    }

    private PolicyOperation Operation(YamlNode node, string field)
    {
        var f = reader.Fields(node, field, OperationFields);
        var operation = new PolicyOperation
        {
            Ports = List(f, "ports", required: false, Port),
            NotPorts = List(f, "notPorts", required: false, Port),
        };
        return operation.IsEmpty ? throw reader.Error(node, field, "an operation needs ports or notPorts") : operation;
    }

    private StringMatch Principal(YamlNode node, string field)
    {
        var text = reader.Scalar(node, field);
        return PolicySyntax.PrincipalProblem(text) is { } why ? throw reader.Error(node, field, why) : StringMatch.Parse(text);
    }

    private StringMatch NamespacePattern(YamlNode node, string field)
    {
        var text = reader.Scalar(node, field);
        return PolicySyntax.NamespaceProblem(text, LabelRule) is { } why ? throw reader.Error(node, field, why) : StringMatch.Parse(text);
    }

    private ServiceAccountRef ServiceAccount(YamlNode node, string field, string policyNamespace) =>
        PolicySyntax.TryParseServiceAccount(reader.Scalar(node, field), policyNamespace, out var account, out var error)
            ? account
            : throw reader.Error(node, field, error);

    /// <summary>A CIDR or, as in Istio, a single address.</summary>
    private IPNetwork IpBlock(YamlNode node, string field)
    {
        var text = reader.Scalar(node, field);
        if (text.Contains('/', StringComparison.Ordinal))
        {
            var network = Cidr(node, field);
            return network.BaseAddress.IsIPv4MappedToIPv6
                ? throw reader.Error(node, field, $"\"{text}\" is an IPv4-mapped IPv6 network; write it in IPv4 form")
                : network;
        }

        if (!ValueSyntax.TryParseAddress(text, out var address))
        {
            throw reader.Error(node, field, $"\"{text}\" is not an IP address or CIDR");
        }

        return address.IsIPv4MappedToIPv6
            ? throw reader.Error(node, field, $"{text} is an IPv4-mapped IPv6 address; write it as {address.MapToIPv4()}")
            : new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
    }

    /// <summary>An optional list that, when written, must hold something: istiod refuses <c>from: []</c>, whose meaning is unclear.</summary>
    private ReadOnlyCollection<T> NonEmptyList<T>(FieldMap f, string key, Func<YamlNode, string, T> item, string hint)
    {
        var items = List(f, key, required: false, item);
        return items.Count == 0 && f.Optional(key) is { } node ? throw reader.Error(node, f.Path(key), $"must not be empty; {hint}") : items;
    }

    /// <summary>One of a fixed set of words, case-sensitive (an enum: Istio's upper-case ones, OpenTelemetry's lower-case ones).</summary>
    private string Choice(YamlNode node, string field, string[] choices, string what)
    {
        var text = reader.Scalar(node, field);
        if (choices.Contains(text, StringComparer.Ordinal))
        {
            return text;
        }

        var guess = text.Length > 0 ? Spelling.Closest(text, choices) : null;
        throw reader.Error(node, field, guess is not null
            ? $"unknown {what} \"{text}\"; did you mean \"{guess}\"?"
            : $"unknown {what} \"{text}\"; use {string.Join(" or ", choices)}");
    }
}
