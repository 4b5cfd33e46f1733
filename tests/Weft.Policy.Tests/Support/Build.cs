using System.Collections.Frozen;
using System.Net;

namespace Weft.Policy.Tests;

/// <summary>Policies, workloads and connections built in code, compactly.</summary>
internal static class Build
{
    public const string Client = "cluster.local/ns/shop/sa/client";

    public static PolicyWorkload Web { get; } = Workload("shop/web-1", "shop", "app=web");

    public static PolicyWorkload Db { get; } = Workload("data/db-1", "data", "app=db");

    public static PolicyWorkload Workload(string uid, string ns, string labels = "") => new() { Uid = uid, Namespace = ns, Labels = Labels(labels) };

    public static AuthorizationPolicy Allow(string name, params PolicyRule[] rules) => PolicyIn(PolicyAction.Allow, "shop", name, rules);

    public static AuthorizationPolicy Deny(string name, params PolicyRule[] rules) => PolicyIn(PolicyAction.Deny, "shop", name, rules);

    public static AuthorizationPolicy PolicyIn(PolicyAction action, string ns, string name, PolicyRule[] rules, string selector = "") => new()
    {
        Name = name,
        Namespace = ns,
        Action = action,
        Rules = rules,
        Selector = Labels(selector),
    };

    public static PolicyRule From(PolicySource source, params PolicySource[] more) => new() { From = [source, .. more] };

    public static PolicyRule To(params PolicyOperation[] operations) => new() { To = operations };

    public static PolicyRule FromTo(PolicySource source, PolicyOperation operation) => new() { From = [source], To = [operation] };

    public static PolicyOperation Ports(params int[] ports) => new() { Ports = ports };

    public static PolicyOperation NotPorts(params int[] ports) => new() { NotPorts = ports };

    public static StringMatch[] Patterns(params string[] patterns) => [.. patterns.Select(StringMatch.Parse)];

    public static ServiceAccountRef[] Accounts(params string[] accounts) =>
        [.. accounts.Select(a => a.Split('/')).Select(p => new ServiceAccountRef(p[0], p[1]))];

    public static IPNetwork[] Blocks(params string[] blocks) => [.. blocks.Select(IPNetwork.Parse)];

    /// <summary>An mTLS connection to <paramref name="to"/> from the principal (td/ns/x/sa/y).</summary>
    public static ConnectionFacts Mtls(string principal = Client, string address = "10.77.0.3", int port = 8080, PolicyWorkload? to = null)
    {
        Assert.True(PeerIdentity.TryParse("spiffe://" + principal, out var peer));
        return new(to ?? Web, peer, IPAddress.Parse(address), port);
    }

    public static ConnectionFacts Plaintext(string address = "10.77.0.4", int port = 8080, PolicyWorkload? to = null) =>
        new(to ?? Web, null, IPAddress.Parse(address), port);

    public static MtlsPolicy Mode(MtlsMode mode, string? ns = null, string selector = "") => new() { Namespace = ns, Mode = mode, Selector = Labels(selector) };

    /// <summary>"a=b,c=d" to a label set.</summary>
    public static FrozenDictionary<string, string> Labels(string labels) =>
        labels.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('='))
            .ToFrozenDictionary(kv => kv[0].Trim(), kv => kv[1].Trim(), StringComparer.Ordinal);
}
