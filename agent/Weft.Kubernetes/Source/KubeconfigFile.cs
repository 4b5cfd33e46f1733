using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Weft.Kubernetes.Source;

/// <summary>
/// Reads a kubeconfig file by walking YamlDotNet's representation model (no reflection, so the native
/// agent can). Relative file paths resolve beside the file, as kubectl resolves them. Fields the agent
/// has no use for (preferences, extensions, auth-provider plugins) are ignored, as kubectl ignores what
/// it does not know.
/// </summary>
public static class KubeconfigFile
{
    /// <exception cref="FormatException">The file is not a kubeconfig; the message names the file, the field and the line.</exception>
    public static Kubeconfig Read(string path)
    {
        var root = Load(path);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        string? Beside(string? file) => file is null ? null : Path.IsPathRooted(file) ? file : Path.Combine(dir, file);
        return new Kubeconfig(
            full,
            Text(root, "current-context", path),
            List(root, "clusters", path, n => Map(n, "cluster", path) is { } c
                ? new KubeconfigCluster(Name(n, path), Text(c, "server", path), Beside(Text(c, "certificate-authority", path)),
                    Text(c, "certificate-authority-data", path), Flag(c, "insecure-skip-tls-verify", path), Text(c, "tls-server-name", path))
                : new KubeconfigCluster(Name(n, path), null, null, null, false, null)),
            List(root, "contexts", path, n => Map(n, "context", path) is { } c
                ? new KubeconfigContext(Name(n, path), Text(c, "cluster", path), Text(c, "user", path), Text(c, "namespace", path))
                : new KubeconfigContext(Name(n, path), null, null, null)),
            List(root, "users", path, n => Map(n, "user", path) is { } u
                ? new KubeconfigUser(Name(n, path), Beside(Text(u, "client-certificate", path)), Text(u, "client-certificate-data", path),
                    Beside(Text(u, "client-key", path)), Text(u, "client-key-data", path), Text(u, "token", path), Beside(Text(u, "tokenFile", path)),
                    Text(u, "username", path), Text(u, "password", path), Map(u, "exec", path) is { } e ? Exec(e, path) : null)
                : new KubeconfigUser(Name(n, path), null, null, null, null, null, null, null, null, null)));
    }

    private static KubeconfigExec Exec(YamlMappingNode e, string path) => new(
        Text(e, "apiVersion", path),
        Text(e, "command", path) ?? throw new FormatException($"{path}: line {e.Start.Line}: exec needs a command"),
        Items(e, "args", path, a => Scalar(a, "args", path)),
        List(e, "env", path, v => new KeyValuePair<string, string>(Text(v, "name", path) ?? "", Text(v, "value", path) ?? "")));

    private static string Name(YamlMappingNode n, string path) =>
        Text(n, "name", path) ?? throw new FormatException($"{path}: line {n.Start.Line}: an entry without a name");

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new FormatException($"{path}: line {e.Start.Line}: not valid YAML: {e.Message}", e);
        }

        return stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode root
            ? root
            : throw new FormatException($"{path}: a kubeconfig is one YAML mapping (apiVersion, kind: Config, clusters, contexts, users)");
    }

    private static YamlNode? Field(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && !IsNull(value) ? value : null;

    private static bool IsNull(YamlNode node) => node is YamlScalarNode { Value: null or "" or "~" or "null" } s && s.Style == YamlDotNet.Core.ScalarStyle.Plain;

    private static string? Text(YamlMappingNode node, string key, string path) =>
        Field(node, key) is { } value ? Scalar(value, key, path) : null;

    private static string Scalar(YamlNode value, string key, string path) =>
        value is YamlScalarNode { Value: { } text } ? text : throw Wrong(value, key, "a string", path);

    private static bool Flag(YamlMappingNode node, string key, string path) => Text(node, key, path) switch
    {
        null or "false" or "False" => false,
        "true" or "True" => true,
        _ => throw Wrong(Field(node, key)!, key, "true or false", path),
    };

    private static YamlMappingNode? Map(YamlMappingNode node, string key, string path) => Field(node, key) switch
    {
        null => null,
        YamlMappingNode map => map,
        var other => throw Wrong(other, key, "a mapping", path),
    };

    private static List<T> List<T>(YamlMappingNode node, string key, string path, Func<YamlMappingNode, T> item) =>
        Items(node, key, path, n => n is YamlMappingNode map ? item(map) : throw Wrong(n, key, "a list of mappings", path));

    private static List<T> Items<T>(YamlMappingNode node, string key, string path, Func<YamlNode, T> item) => Field(node, key) switch
    {
        null => [],
        YamlSequenceNode seq => [.. seq.Children.Select(item)],
        var other => throw Wrong(other, key, "a list", path),
    };

    private static FormatException Wrong(YamlNode node, string key, string expected, string path) =>
        new($"{path}: line {node.Start.Line}: {key} must be {expected}");
}
