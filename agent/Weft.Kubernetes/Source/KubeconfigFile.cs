using k8s.KubeConfigModels;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Weft.Kubernetes.Source;

/// <summary>
/// Reads a kubeconfig file into KubernetesClient's model, which then builds the client
/// (<c>BuildConfigFromConfigObject</c>: certificates, tokens, exec plugins). The library's own
/// reader maps YAML to the model by reflection, which the native (AOT) agent cannot do; this one
/// walks YamlDotNet's representation model. Fields the agent has no use for (preferences,
/// extensions, auth-provider plugins) are ignored, as kubectl ignores what it does not know.
/// </summary>
public static class KubeconfigFile
{
    /// <exception cref="FormatException">The file is not a kubeconfig; the message names the file, the field and the line.</exception>
    public static K8SConfiguration Read(string path)
    {
        var root = Load(path);
        var config = new K8SConfiguration
        {
            FileName = Path.GetFullPath(path),
            CurrentContext = Text(root, "current-context", path),
            Clusters = List(root, "clusters", path, n => new Cluster
            {
                Name = Text(n, "name", path),
                ClusterEndpoint = Map(n, "cluster", path) is { } c ? new ClusterEndpoint
                {
                    Server = Text(c, "server", path),
                    CertificateAuthority = Text(c, "certificate-authority", path),
                    CertificateAuthorityData = Text(c, "certificate-authority-data", path),
                    SkipTlsVerify = Flag(c, "insecure-skip-tls-verify", path),
                    TlsServerName = Text(c, "tls-server-name", path),
                } : null,
            }),
            Contexts = List(root, "contexts", path, n => new Context
            {
                Name = Text(n, "name", path),
                ContextDetails = Map(n, "context", path) is { } c ? new ContextDetails
                {
                    Cluster = Text(c, "cluster", path),
                    User = Text(c, "user", path),
                    Namespace = Text(c, "namespace", path),
                } : null,
            }),
            Users = List(root, "users", path, n => new User
            {
                Name = Text(n, "name", path),
                UserCredentials = Map(n, "user", path) is { } u ? Credentials(u, path) : null,
            }),
        };
        return config;
    }

    private static UserCredentials Credentials(YamlMappingNode u, string path) => new()
    {
        ClientCertificate = Text(u, "client-certificate", path),
        ClientCertificateData = Text(u, "client-certificate-data", path),
        ClientKey = Text(u, "client-key", path),
        ClientKeyData = Text(u, "client-key-data", path),
        Token = Text(u, "token", path) ?? TokenFile(u, path),
        UserName = Text(u, "username", path),
        Password = Text(u, "password", path),
        ExternalExecution = Map(u, "exec", path) is { } e ? new ExternalExecution
        {
            ApiVersion = Text(e, "apiVersion", path),
            Command = Text(e, "command", path),
            Arguments = Items(e, "args", path, a => Scalar(a, "args", path)),
            EnvironmentVariables = List(e, "env", path, v => new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["name"] = Text(v, "name", path) ?? "",
                ["value"] = Text(v, "value", path) ?? "",
            }),
        } : null,
    };

    /// <summary>tokenFile: read once here (kubectl re-reads it; a rotated file needs an agent restart).</summary>
    private static string? TokenFile(YamlMappingNode u, string path)
    {
        var file = Text(u, "tokenFile", path);
        if (file is null)
        {
            return null;
        }

        var full = Path.IsPathRooted(file) ? file : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", file);
        return File.ReadAllText(full).Trim();
    }

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
