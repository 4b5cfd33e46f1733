using System.Security.Cryptography;

namespace Weft.Lab.Infra;

/// <summary>
/// Every object a lab creates is named "weft-&lt;id&gt;-…". Dispose and the stale sweep check
/// names against this before touching anything, so a bad state file cannot reach beyond labs.
/// </summary>
internal static class LabNames
{
    public const string Prefix = "weft-";
    /// <summary>Where cgroup v2 is mounted (/sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid one).</summary>
    public static string CgroupRoot { get; } = Weft.Platform.Host.CgroupId.Cgroup2Mount() ?? "/sys/fs/cgroup/unified";
    public const string NetnsDir = "/var/run/netns";
    public const string StateDir = "/run/weft-lab";
    public const string FabricName = "fabric";

    /// <summary>Node, 3 kubelet root names, kubepods, QoS, pod, container.</summary>
    public const int MaxCgroupDepth = 8;

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    public static string Object(string id, string name) => $"{Prefix}{id}-{name}";

    public static string NetnsPath(string netns) => Path.Combine(NetnsDir, netns);

    /// <summary>Lower-case letters, digits and '-', like a Kubernetes name, short enough for the kernel.</summary>
    public static void CheckName(string name, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, what);
        if (name.Length > 40 || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') || name[0] == '-')
        {
            throw new ArgumentException($"{what} name '{name}' must be 1-40 characters of a-z, 0-9 and '-', not starting with '-'", what);
        }
    }

    public static bool IsLabId(string id) =>
        id.Length is >= 4 and <= 16 && id.All(c => c is (>= 'a' and <= 'f') or (>= '0' and <= '9'));

    /// <summary>True for a netns name this lab may own: "weft-&lt;id&gt;-…", one path component.</summary>
    public static bool OwnsNetns(string id, string netns) =>
        IsLabId(id) && netns.StartsWith($"{Prefix}{id}-", StringComparison.Ordinal)
        && !netns.Contains('/', StringComparison.Ordinal) && !netns.Contains("..", StringComparison.Ordinal);

    /// <summary>
    /// True for a cgroup dir directly under the v2 root named "weft-&lt;id&gt;-…" (a node), or up to
    /// <see cref="MaxCgroupDepth"/> - 1 levels below it (pods, in kubelet's layout with its nested slices).
    /// </summary>
    public static bool OwnsCgroup(string id, string path)
    {
        if (!IsLabId(id) || !path.StartsWith(CgroupRoot + "/", StringComparison.Ordinal) || path.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = path[(CgroupRoot.Length + 1)..].Split('/');
        return parts.Length <= MaxCgroupDepth && parts.All(p => p.Length > 0 && p != ".")
            && parts[0].StartsWith($"{Prefix}{id}-", StringComparison.Ordinal);
    }

    /// <summary>The fabric-side veth name: unique by index, readable by pod name, within IFNAMSIZ-1 (15).</summary>
    public static string FabricVeth(int index, string pod)
    {
        var name = $"v{index}-{pod}";
        return name.Length <= 15 ? name : name[..15];
    }
}
