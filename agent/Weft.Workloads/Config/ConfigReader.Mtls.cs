using Weft.Policy;
using YamlDotNet.RepresentationModel;

namespace Weft.Workloads;

/// <summary>The <c>mtls</c> section: Istio's PeerAuthentication reduced to its mode, one entry per scope.</summary>
internal sealed partial class ConfigReader
{
    private static readonly string[] MtlsFields = ["namespace", "selector", "mode"];
    private static readonly string[] Modes = ["STRICT", "PERMISSIVE"];

    // Scope key (mesh, namespace, or namespace plus selector) to the line that first set it.
    private readonly Dictionary<string, int> mtlsScopes = new(StringComparer.Ordinal);

    private MtlsPolicy MtlsEntry(YamlNode node, string field)
    {
        var f = reader.Fields(node, field, MtlsFields);
        var ns = OptionalText(f, "namespace", ValueSyntax.IsDnsLabel, LabelRule);
        var selector = Labels(f, "selector");
        var meshWide = ns is null || ns == rootNamespace;
        if (meshWide && selector.Count > 0)
        {
            throw reader.Error(f.Required("selector"), f.Path("selector"), ns is null
                ? "an entry without a namespace is the mesh-wide default and cannot have a selector; add the workloads' namespace"
                : $"an entry in the root namespace \"{rootNamespace}\" is the mesh-wide default and cannot have a selector; use the workloads' namespace");
        }

        var mode = Choice(f.Required("mode"), f.Path("mode"), Modes, "mode") == "STRICT" ? MtlsMode.Strict : MtlsMode.Permissive;

        var (scope, duplicate) = meshWide
            ? ("", "the mesh-wide mode is already set")
            : selector.Count == 0
                ? (ns!, $"the mode of namespace {ns} is already set")
                : ($"{ns}/{string.Join(',', selector.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"))}",
                    $"namespace {ns} already has an entry with this selector");
        if (mtlsScopes.TryGetValue(scope, out var firstLine))
        {
            throw reader.Error(node, field, $"{duplicate} (first at line {firstLine})");
        }

        mtlsScopes.Add(scope, NodeReader.ToInt(node.Start.Line));
        return new MtlsPolicy { Namespace = ns, Selector = selector, Mode = mode };
    }
}
