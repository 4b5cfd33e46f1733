using System.Collections.Frozen;

namespace Weft.Policy;

/// <summary>mTLS modes by scope; the most specific wins: workload selector, then namespace, then mesh-wide, then PERMISSIVE.</summary>
internal sealed class MtlsIndex
{
    private readonly MtlsMode meshMode;
    private readonly FrozenDictionary<string, NamespaceModes> byNamespace;

    public MtlsIndex(IReadOnlyList<MtlsPolicy> mtls, string rootNamespace)
    {
        MtlsMode? mesh = null;
        var namespaces = new Dictionary<string, (MtlsMode? Mode, List<(KeyValuePair<string, string>[], MtlsMode)> Selected)>(StringComparer.Ordinal);
        foreach (var policy in mtls)
        {
            if (policy.Namespace is null || policy.Namespace == rootNamespace)
            {
                if (policy.Selector.Count > 0)
                {
                    throw new ArgumentException($"an mTLS policy for the whole mesh (no namespace, or root namespace {rootNamespace}) cannot have a selector", nameof(mtls));
                }

                // The first listed wins, as Istio lets the oldest win.
                mesh ??= policy.Mode;
                continue;
            }

            if (!namespaces.TryGetValue(policy.Namespace, out var entry))
            {
                entry = (null, []);
            }

            if (policy.Selector.Count == 0)
            {
                entry.Mode ??= policy.Mode;
            }
            else
            {
                entry.Selected.Add((Selector.From(policy.Selector), policy.Mode));
            }

            namespaces[policy.Namespace] = entry;
        }

        meshMode = mesh ?? MtlsMode.Permissive;
        byNamespace = namespaces.ToFrozenDictionary(
            e => e.Key, e => new NamespaceModes(e.Value.Mode, [.. e.Value.Selected]), StringComparer.Ordinal);
    }

    public MtlsMode ModeFor(string workloadNamespace, IReadOnlyDictionary<string, string> labels)
    {
        if (!byNamespace.TryGetValue(workloadNamespace, out var modes))
        {
            return meshMode;
        }

        foreach (var (selector, mode) in modes.Selected)
        {
            if (Selector.Selects(selector, labels))
            {
                return mode;
            }
        }

        return modes.Mode ?? meshMode;
    }

    private sealed record NamespaceModes(MtlsMode? Mode, (KeyValuePair<string, string>[] Selector, MtlsMode Mode)[] Selected);
}
