using k8s;
using k8s.Models;
using Weft.Tests.Shared;
using YamlDotNet.RepresentationModel;

namespace Weft.Deploy.Tests;

/// <summary>The kustomize base in daemonset/, each listed file parsed strictly into the Kubernetes model.</summary>
internal static class Deploy
{
    public const string Namespace = "weft-system";

    public static string Directory { get; } = Path.Combine(RepoPaths.Root, "daemonset");

    /// <summary>The files kustomization.yaml lists under resources, in order.</summary>
    public static IReadOnlyList<string> Resources { get; } = ReadResources();

    public static V1DaemonSet DaemonSet => Single<V1DaemonSet>();

    public static V1Container Agent => Assert.Single(DaemonSet.Spec.Template.Spec.Containers);

    public static V1PodSpec Pod => DaemonSet.Spec.Template.Spec;

    public static V1ClusterRole ClusterRole => Single<V1ClusterRole>();

    public static V1ConfigMap ConfigMap => Single<V1ConfigMap>();

    /// <summary>Every listed file's one object, parsed with unknown fields refused.</summary>
    public static IReadOnlyList<(string File, object Object)> Objects { get; } =
        [.. Resources.Select(f => (f, Assert.Single(Parse(File.ReadAllText(Path.Combine(Directory, f))))))];

    /// <summary>Kubernetes YAML into the client's model types; a field the model does not have is an error.</summary>
    public static List<object> Parse(string yaml) => KubernetesYaml.LoadAllFromString(yaml, strict: true);

    public static T Single<T>() => Assert.Single(Objects.Select(o => o.Object).OfType<T>());

    public static V1Volume Volume(string name) => Assert.Single(Pod.Volumes, v => v.Name == name);

    public static V1VolumeMount Mount(string name) => Assert.Single(Agent.VolumeMounts, m => m.Name == name);

    /// <summary>The container port a probe names (by name or number).</summary>
    public static int Port(IntOrString port) =>
        int.TryParse(port.Value, out var number) ? number : Assert.Single(Agent.Ports, p => p.Name == port.Value).ContainerPort;

    private static List<string> ReadResources()
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(Path.Combine(Directory, "kustomization.yaml"))))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents.Single().RootNode;
        var resources = (YamlSequenceNode)root.Children[new YamlScalarNode("resources")];
        return [.. resources.Children.Cast<YamlScalarNode>().Select(n => n.Value!)];
    }
}
