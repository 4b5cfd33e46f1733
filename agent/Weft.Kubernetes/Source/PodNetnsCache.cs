using Weft.Kubernetes.Api;
using Weft.Platform.Netns;

namespace Weft.Kubernetes.Source;

/// <summary>
/// This node's pods' network namespaces, by pod uid: found once through the pod's cgroup, then
/// only checked (one statx) until the namespace at that path changes or the pod goes. Used from
/// one thread at a time (the source's rebuild loop).
/// </summary>
internal sealed class PodNetnsCache(PodNetnsFinder finder, Action<string, string> reportFailure)
{
    private readonly Dictionary<string, PodNetnsLocation> found = new(StringComparer.Ordinal);
    private readonly HashSet<string> failing = new(StringComparer.Ordinal);

    /// <summary>Pods asked about in the last <see cref="Resolve"/> pass that have no namespace yet.</summary>
    public int Missing { get; private set; }

    /// <summary>The namespace path of each pod, null while it has none; forgets pods not listed.</summary>
    public Dictionary<string, string?> Resolve(IReadOnlyList<Pod> localPods)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var pod in localPods)
        {
            var uid = pod.Metadata.Uid;
            if (!found.TryGetValue(uid, out var location) || !StillThere(location))
            {
                location = Find(pod);
                if (location is null)
                {
                    found.Remove(uid);
                }
                else
                {
                    found[uid] = location;
                }
            }

            result[uid] = location?.NetnsPath;
        }

        foreach (var gone in found.Keys.Where(uid => !result.ContainsKey(uid)).ToList())
        {
            found.Remove(gone);
        }

        failing.IntersectWith(result.Keys);
        Missing = result.Values.Count(v => v is null);
        return result;
    }

    /// <summary>Whether every known namespace is still where it was found.</summary>
    public bool AllStillThere() => found.Values.All(StillThere);

    private static bool StillThere(PodNetnsLocation location) => NetworkNamespace.CurrentInode(location.NetnsPath) == location.NetnsInode;

    private PodNetnsLocation? Find(Pod pod)
    {
        var uid = pod.Metadata.Uid;
        try
        {
            var location = finder.Find(uid, PodQosClasses.Parse(pod.Status?.QosClass));
            failing.Remove(uid);
            return location;
        }
        catch (Exception e) when (e is NetnsException or IOException)
        {
            // An I/O error (a cgroup read while kubelet removes it gives ENODEV) is this pod's alone: it must not
            // fail the rebuild of the whole cluster, and the recheck tries the pod again.
            // Said once per pod until it succeeds: the cause (a missing privilege or mount) is the operator's to fix.
            if (failing.Add(uid))
            {
                reportFailure($"{pod.Metadata.Namespace}/{pod.Metadata.Name}", e.Message);
            }

            return null;
        }
    }
}
