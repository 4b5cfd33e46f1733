namespace Weft.Workloads.Tests;

public sealed class MeshMembershipTests
{
    private static readonly LocalConfig Config = new()
    {
        Node = "node-a",
        Namespaces =
        [
            Build.Namespace("weft", "weft.io/mesh=enabled"),
            Build.Namespace("ambient", "istio.io/dataplane-mode=ambient"),
            Build.Namespace("plain", "team=payments"),
            Build.Namespace("off", "weft.io/mesh=disabled"),
        ],
    };

    [Fact]
    public void Namespace_labelled_for_weft()
    {
        var decision = MeshMembership.Reason(Config, Build.Workload("w", "weft"));

        Assert.True(decision.IsEnrolled);
        Assert.Equal(EnrolmentRule.NamespaceMeshEnabled, decision.Rule);
        Assert.Equal("enrolled: namespace weft is labelled weft.io/mesh=enabled", decision.ToString());
    }

    [Fact]
    public void Namespace_labelled_for_istio_ambient()
    {
        var decision = MeshMembership.Reason(Config, Build.Workload("w", "ambient"));

        Assert.True(decision.IsEnrolled);
        Assert.Equal(EnrolmentRule.NamespaceAmbient, decision.Rule);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("off")]
    [InlineData("undeclared")]
    public void Namespace_not_in_the_mesh(string ns)
    {
        var decision = MeshMembership.Reason(Config, Build.Workload("w", ns));

        Assert.False(decision.IsEnrolled);
        Assert.Equal(EnrolmentRule.NamespaceNotInMesh, decision.Rule);
    }

    [Fact]
    public void Workload_opts_out_with_the_weft_label()
    {
        var decision = MeshMembership.Reason(Config, Build.Workload("w", "weft", labels: "weft.io/mesh=disabled"));

        Assert.False(decision.IsEnrolled);
        Assert.Equal(EnrolmentRule.WorkloadOptedOut, decision.Rule);
    }

    [Fact]
    public void Workload_opts_out_with_the_istio_label()
    {
        var decision = MeshMembership.Reason(Config, Build.Workload("w", "ambient", labels: "istio.io/dataplane-mode=none"));

        Assert.False(decision.IsEnrolled);
        Assert.Equal(EnrolmentRule.WorkloadDataplaneModeNone, decision.Rule);
    }

    [Fact]
    public void Workload_on_another_node_is_not_ours()
    {
        var decision = MeshMembership.Reason(Config, Build.Workload("w", "weft", node: "node-b"));

        Assert.False(decision.IsEnrolled);
        Assert.Equal(EnrolmentRule.OtherNode, decision.Rule);
        Assert.Equal("not enrolled: runs on node node-b, this is node-a", decision.Description);
    }

    [Fact]
    public void Workload_label_alone_does_not_enrol()
    {
        Assert.False(MeshMembership.IsEnrolled(Config, Build.Workload("w", "plain", labels: "weft.io/mesh=enabled")));
    }

    [Fact]
    public void Label_values_are_case_sensitive()
    {
        var config = Config with { Namespaces = [Build.Namespace("weft", "weft.io/mesh=Enabled")] };

        Assert.False(MeshMembership.IsEnrolled(config, Build.Workload("w", "weft")));
    }

    [Fact]
    public void Enrolled_workloads_keeps_config_order()
    {
        var config = Config with
        {
            Workloads =
            [
                Build.Workload("a", "weft", addresses: "10.0.0.1"),
                Build.Workload("b", "plain", addresses: "10.0.0.2"),
                Build.Workload("c", "ambient", addresses: "10.0.0.3"),
                Build.Workload("d", "weft", node: "node-b", addresses: "10.0.0.4"),
                Build.Workload("e", "weft", addresses: "10.0.0.5", labels: "weft.io/mesh=disabled"),
            ],
        };

        Assert.Equal(["a", "c"], MeshMembership.EnrolledWorkloads(config).Select(w => w.Name));
    }

    [Fact]
    public void Example_workload_is_enrolled()
    {
        var config = ExampleConfig.Parse(ExampleConfig.Text);

        Assert.True(MeshMembership.IsEnrolled(config, config.Workloads[0]));
    }
}
