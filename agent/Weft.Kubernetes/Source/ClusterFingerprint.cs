using System.Text;
using Weft.Workloads;

namespace Weft.Kubernetes.Source;

/// <summary>
/// The cluster-derived part of a config as text, to tell a change that matters (a label, an address,
/// an endpoint, a namespace path) from the many the agent does not use (pod conditions, timestamps,
/// annotations), so the agent re-applies only on the former. Translation is ordered, so equal
/// clusters give equal text.
/// </summary>
internal static class ClusterFingerprint
{
    public static string Of(LocalConfig config)
    {
        var text = new StringBuilder(256 * (config.Workloads.Count + config.Services.Count + 1));
        foreach (var ns in config.Namespaces)
        {
            text.Append("ns ").Append(ns.Name);
            Labels(text, ns.Labels).Append('\n');
        }

        foreach (var w in config.Workloads)
        {
            text.Append("pod ").Append(w.Uid).Append(' ').Append(w.Namespace).Append('/').Append(w.Name).Append(" of ").Append(w.Controller)
                .Append(" sa=").Append(w.ServiceAccount).Append(" node=").Append(w.Node).Append(" netns=").Append(w.Netns);
            Addresses(text, w.Addresses);
            Labels(text, w.Labels).Append('\n');
        }

        foreach (var s in config.Services)
        {
            text.Append("svc ").Append(s.Namespace).Append('/').Append(s.Name);
            Addresses(text, s.Addresses);

            // Not used for routing here (the endpoints are), but /config_dump shows it.
            text.Append(" selector");
            Labels(text, s.Selector);
            foreach (var (port, target) in s.Ports.OrderBy(p => p.Key))
            {
                text.Append(' ').Append(port).Append(':').Append(target);
            }

            foreach (var e in s.Endpoints ?? [])
            {
                text.Append(" ep=").Append(e.Workload.Uid).Append('@').Append(e.Address);
                foreach (var (port, target) in e.Ports.OrderBy(p => p.Key))
                {
                    text.Append(',').Append(port).Append(':').Append(target);
                }
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static void Addresses(StringBuilder text, IReadOnlyList<System.Net.IPAddress> addresses)
    {
        foreach (var a in addresses)
        {
            text.Append(' ').Append(a);
        }
    }

    private static StringBuilder Labels(StringBuilder text, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (k, v) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            text.Append(' ').Append(k).Append('=').Append(v);
        }

        return text;
    }
}
