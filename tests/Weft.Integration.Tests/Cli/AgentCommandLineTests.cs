using Weft.Agent.Cli;

namespace Weft.Integration.Tests.Cli;

/// <summary>`weft agent` arguments: both modes, and a sentence for each mistake.</summary>
public sealed class AgentCommandLineTests
{
    [Fact]
    public void Standalone_reads_the_node_from_the_file()
    {
        var options = CommandLine.ParseAgent(["--config", "/etc/weft/node.yaml"], nodeFromEnvironment: "ignored-here");

        Assert.False(options.Kubernetes);
        Assert.Null(options.NodeName);
        Assert.False(options.ConfigMode.IsKubernetes);
    }

    [Fact]
    public void Kubernetes_mode_takes_the_node_from_node_name()
    {
        var options = CommandLine.ParseAgent(["--kubernetes", "--config", "/etc/weft/weft.yaml"], nodeFromEnvironment: "worker-1.example");

        Assert.True(options.Kubernetes);
        Assert.Equal("worker-1.example", options.NodeName);
        Assert.Equal("worker-1.example", options.ConfigMode.KubernetesNode);
        Assert.Null(options.KubeconfigPath);
    }

    [Fact]
    public void The_node_flag_and_a_kubeconfig_override_the_defaults()
    {
        var options = CommandLine.ParseAgent(["--kubernetes", "--node", "node-a", "--kubeconfig", "/root/.kube/lab", "--config", "/c.yaml"], "node-b");

        Assert.Equal(("node-a", "/root/.kube/lab"), (options.NodeName, options.KubeconfigPath));
    }

    [Theory]
    [InlineData(null, "set NODE_NAME")]
    [InlineData("", "set NODE_NAME")]
    [InlineData("Worker_1", "is not a Kubernetes node name")]
    public void Kubernetes_mode_without_a_valid_node_name_says_how_to_give_one(string? environment, string expected)
    {
        var e = Assert.Throws<UsageException>(() => CommandLine.ParseAgent(["--kubernetes", "--config", "/c.yaml"], environment));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--kubeconfig", "/k", "--kubeconfig is only for --kubernetes")]
    [InlineData("--node", "node-a", "--node is only for --kubernetes")]
    public void Kubernetes_flags_without_kubernetes_mode_are_refused(string flag, string value, string expected)
    {
        var e = Assert.Throws<UsageException>(() => CommandLine.ParseAgent(["--config", "/c.yaml", flag, value]));

        Assert.Equal(expected, e.Message[..expected.Length]);
    }

    [Fact]
    public void Both_modes_need_the_config_file()
    {
        var e = Assert.Throws<UsageException>(() => CommandLine.ParseAgent(["--kubernetes"], "node-a"));

        Assert.Equal("--config FILE is required", e.Message);
    }
}
