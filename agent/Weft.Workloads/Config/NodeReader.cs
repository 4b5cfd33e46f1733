using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Weft.Workloads;

/// <summary>Shape checks on YAML nodes that fail with a positioned <see cref="ConfigException"/>.</summary>
internal sealed class NodeReader(string source)
{
    public ConfigException Error(YamlNode at, string field, string detail) => Error(at.Start, field, detail);

    public ConfigException Error(Mark at, string field, string detail) =>
        new(source, ToInt(at.Line), ToInt(at.Column), field, detail);

    public YamlMappingNode Mapping(YamlNode node, string field, string what = "a mapping") =>
        node as YamlMappingNode ?? throw Error(node, field, $"expected {what}, found {Describe(node)}");

    public YamlSequenceNode Sequence(YamlNode node, string field)
    {
        if (node is YamlSequenceNode sequence)
        {
            return sequence;
        }

        var hint = node is YamlScalarNode scalar ? $" (write [{scalar.Value}])" : "";
        throw Error(node, field, $"expected a list, found {Describe(node)}{hint}");
    }

    public string Scalar(YamlNode node, string field) =>
        node is YamlScalarNode scalar
            ? scalar.Value ?? ""
            : throw Error(node, field, $"expected a single value, found {Describe(node)}");

    /// <summary>Checks the mapping's field names against the known ones and indexes them.</summary>
    public FieldMap Fields(YamlNode node, string field, IReadOnlyList<string> known)
    {
        var map = Mapping(node, field);
        var entries = new Dictionary<string, (YamlScalarNode Key, YamlNode Value)>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var key = Scalar(keyNode, field);
            if (!known.Contains(key))
            {
                throw Error(keyNode, FieldPath.Child(field, key), UnknownField(key, known));
            }

            entries[key] = ((YamlScalarNode)keyNode, value);
        }

        return new FieldMap(this, map, field, entries);
    }

    /// <summary>An empty or null-valued plain scalar: YAML's way of writing "nothing here".</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "nothing",
        YamlScalarNode s => $"\"{Shorten(s.Value ?? "")}\"",
        _ => "an unsupported YAML node",
    };

    public static int ToInt(long value) => (int)Math.Clamp(value, 0, int.MaxValue);

    private static string UnknownField(string key, IReadOnlyList<string> known)
    {
        var guess = Spelling.Closest(key, known);
        return guess is not null
            ? $"unknown field \"{key}\"; did you mean \"{guess}\"?"
            : $"unknown field \"{key}\"; known fields are {string.Join(", ", known)}";
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");
}
