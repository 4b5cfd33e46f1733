using YamlDotNet.RepresentationModel;

namespace Weft.Workloads;

/// <summary>The fields of one YAML mapping, already checked against the known names.</summary>
internal sealed class FieldMap(
    NodeReader reader,
    YamlMappingNode map,
    string field,
    Dictionary<string, (YamlScalarNode Key, YamlNode Value)> entries)
{
    /// <summary>Path of the mapping itself, e.g. <c>workloads[1]</c>.</summary>
    public string Field { get; } = field;

    public string Path(string key) => FieldPath.Child(Field, key);

    /// <summary>The value, or null when the field is absent or explicitly empty.</summary>
    public YamlNode? Optional(string key) =>
        entries.TryGetValue(key, out var entry) && !NodeReader.IsNull(entry.Value) ? entry.Value : null;

    public YamlNode Required(string key)
    {
        if (!entries.TryGetValue(key, out var entry))
        {
            throw reader.Error(map, Path(key), $"missing required field \"{key}\"");
        }

        return NodeReader.IsNull(entry.Value)
            ? throw reader.Error(entry.Key, Path(key), $"required field \"{key}\" has no value")
            : entry.Value;
    }
}
