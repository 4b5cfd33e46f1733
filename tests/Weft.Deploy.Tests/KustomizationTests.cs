using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Weft.Deploy.Tests;

public class KustomizationTests
{
    [Fact]
    public void Every_yaml_file_in_daemonset_is_a_listed_resource_and_every_resource_exists()
    {
        var onDisk = System.IO.Directory.EnumerateFiles(Deploy.Directory)
            .Select(Path.GetFileName)
            .Where(f => f!.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Where(f => f != "kustomization.yaml")
            .Order(StringComparer.Ordinal);
        Assert.Equal(onDisk, Deploy.Resources.Order(StringComparer.Ordinal));
        Assert.Equal(Deploy.Resources.Count, Deploy.Resources.Distinct().Count());
    }

    [Fact]
    public void Each_listed_file_is_one_object_of_the_expected_kind()
    {
        var kinds = Deploy.Objects.Select(o => o.Object.GetType()).ToList();
        Assert.Equal(
            new[] { typeof(V1Namespace), typeof(V1ServiceAccount), typeof(V1ClusterRole), typeof(V1ClusterRoleBinding), typeof(V1ConfigMap), typeof(V1DaemonSet), typeof(V1Service) }.Order(Comparer),
            kinds.Order(Comparer));
    }

    [Fact]
    public void Namespaced_objects_are_in_weft_system_and_everything_carries_the_app_labels()
    {
        Assert.Equal(Deploy.Namespace, Deploy.Single<V1Namespace>().Metadata.Name);
        foreach (var (file, o) in Deploy.Objects)
        {
            var meta = ((IKubernetesObject<V1ObjectMeta>)o).Metadata;
            Assert.True(meta.Labels?.ContainsKey("app.kubernetes.io/name") == true, $"{file}: no app.kubernetes.io/name label");
            if (o is V1ServiceAccount or V1ConfigMap or V1DaemonSet or V1Service)
            {
                Assert.Equal(Deploy.Namespace, meta.NamespaceProperty);
            }
        }
    }

    [Fact]
    public void The_kustomization_sets_the_namespace_and_names_the_agent_image()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Deploy.Directory, "kustomization.yaml"))));
        var root = (YamlMappingNode)stream.Documents.Single().RootNode;
        Assert.Equal(Deploy.Namespace, ((YamlScalarNode)root.Children[new YamlScalarNode("namespace")]).Value);
        var images = (YamlSequenceNode)root.Children[new YamlScalarNode("images")];
        var name = ((YamlScalarNode)((YamlMappingNode)images.Children.Single()).Children[new YamlScalarNode("name")]).Value;
        Assert.Equal(name, Deploy.Agent.Image);
    }

    private static readonly Comparer<Type> Comparer = Comparer<Type>.Create((a, b) => string.CompareOrdinal(a.Name, b.Name));
}
