using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Weft.Workloads;

/// <summary>
/// Reads the local config file. Uses YamlDotNet's representation model and maps it by hand, not a
/// reflection deserializer, so that every error can name the file, line, column and field.
/// </summary>
public static class LocalConfigLoader
{
    /// <summary>Reads and validates the file (standalone unless <paramref name="mode"/> says otherwise); <see cref="LocalConfig.SourcePath"/> is <paramref name="path"/> as given.</summary>
    /// <exception cref="ConfigException">The file cannot be read or is not a valid config.</exception>
    public static LocalConfig Load(string path, ConfigMode? mode = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(ReadFile(path), path, mode);
    }

    /// <summary>Parses config text; <paramref name="sourceName"/> names it in errors and becomes <see cref="LocalConfig.SourcePath"/>.</summary>
    /// <exception cref="ConfigException">The text is not a valid config.</exception>
    public static LocalConfig Parse(string yamlText, string sourceName, ConfigMode? mode = null)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(sourceName);
        var root = ReadDocument(yamlText, sourceName);
        return new ConfigReader(new NodeReader(sourceName), mode ?? ConfigMode.Standalone).Read(root) with { SourcePath = sourceName };
    }

    internal static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ConfigException(path, 0, 0, "", $"cannot read the file: {e.Message}", e);
        }
    }

    private static YamlNode ReadDocument(string text, string source)
    {
        var scanner = new Scanner(new StringReader(text));
        var stream = new YamlStream();
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            throw new ConfigException(source, NodeReader.ToInt(e.Start.Line), NodeReader.ToInt(e.Start.Column), "", $"invalid YAML: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet 16 throws this, not a YamlException, for some unclosed flow collections ("[1, 2").
            var at = scanner.CurrentPosition;
            throw new ConfigException(source, NodeReader.ToInt(at.Line), NodeReader.ToInt(at.Column), "", "invalid YAML: unclosed [ ] or { }", e);
        }

        if (stream.Documents.Count == 0 || NodeReader.IsNull(stream.Documents[0].RootNode))
        {
            throw new ConfigException(source, 1, 1, "", "the file is empty");
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            throw new ConfigException(source, NodeReader.ToInt(second.Line), NodeReader.ToInt(second.Column), "",
                $"the file holds {stream.Documents.Count} YAML documents; expected one");
        }

        return stream.Documents[0].RootNode;
    }
}
