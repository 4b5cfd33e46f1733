using System.Collections.Frozen;
using System.Net;

namespace Weft.Workloads.Tests;

/// <summary>Model objects built in code, for tests about behaviour rather than parsing.</summary>
internal static class Build
{
    public static Workload Workload(string name, string ns = "shop", string node = "node-a", string addresses = "10.0.0.1", string labels = "") => new()
    {
        Uid = $"{ns}/{name}",
        Name = name,
        Namespace = ns,
        Labels = Labels(labels),
        Addresses = [.. addresses.Split(',').Select(a => IPAddress.Parse(a.Trim()))],
        Netns = $"/var/run/netns/{name}",
        Node = node,
    };

    public static Service Service(string name, string addresses, string selector, string ns = "shop", int port = 80, int targetPort = 8080) => new()
    {
        Name = name,
        Namespace = ns,
        Addresses = [.. addresses.Split(',').Select(a => IPAddress.Parse(a.Trim()))],
        Ports = new Dictionary<int, int> { [port] = targetPort }.ToFrozenDictionary(),
        Selector = Labels(selector),
    };

    public static NamespaceInfo Namespace(string name, string labels) => new() { Name = name, Labels = Labels(labels) };

    /// <summary>"a=b,c=d" to a label set.</summary>
    public static FrozenDictionary<string, string> Labels(string labels) =>
        labels.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('='))
            .ToFrozenDictionary(kv => kv[0].Trim(), kv => kv[1].Trim());
}
