using k8s;
using k8s.Models;

namespace Weft.Tests.Shared.Kubernetes;

/// <summary>
/// The fieldSelector forms a node agent uses: comma-separated terms over spec.nodeName (pods), metadata.name and
/// metadata.namespace, each with =, == or !=. Like kube-apiserver, an unsupported field is a 400.
/// </summary>
internal sealed class StandInFieldSelector
{
    private readonly List<(string Field, string Value, bool Equal)> _terms = [];

    public static StandInFieldSelector Everything { get; } = new();

    public static StandInFieldSelector Parse(string? text, StandInResource resource)
    {
        var selector = new StandInFieldSelector();
        if (string.IsNullOrEmpty(text))
        {
            return selector;
        }

        foreach (var term in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var (field, value, equal) = term.Contains("!=", StringComparison.Ordinal) ? Split(term, "!=", false)
                : term.Contains("==", StringComparison.Ordinal) ? Split(term, "==", true)
                : Split(term, "=", true);
            var known = field is "metadata.name" or "metadata.namespace" || (field == "spec.nodeName" && resource == StandInResource.Pods);
            if (!known)
            {
                throw new FormatException($"field label not supported: {field}");
            }

            selector._terms.Add((field, value, equal));
        }

        return selector;
    }

    public bool Matches(IKubernetesObject<V1ObjectMeta> item) =>
        _terms.All(term => (ValueOf(item, term.Field) ?? "") == term.Value == term.Equal);

    private static (string Field, string Value, bool Equal) Split(string term, string op, bool equal)
    {
        var at = term.IndexOf(op, StringComparison.Ordinal);
        return (term[..at].Trim(), term[(at + op.Length)..].Trim(), equal);
    }

    private static string? ValueOf(IKubernetesObject<V1ObjectMeta> item, string field) => field switch
    {
        "metadata.name" => item.Metadata.Name,
        "metadata.namespace" => item.Metadata.NamespaceProperty,
        "spec.nodeName" => (item as V1Pod)?.Spec?.NodeName,
        _ => null,
    };
}
