using System.Net;
using Weft.Workloads;

namespace Weft.Workloads.Tests.Model;

/// <summary>Istio's names for a workload in metrics: controller, canonical service, canonical revision.</summary>
public sealed class WorkloadNamesTests
{
    [Fact]
    public void Canonical_service_and_revision_come_from_the_first_label_Istio_reads_else_the_workload_and_latest()
    {
        Assert.Equal(("shop-web", "v3"), Names(("service.istio.io/canonical-name", "shop-web"), ("app.kubernetes.io/name", "web"), ("app", "w"),
            ("service.istio.io/canonical-revision", "v3"), ("app.kubernetes.io/version", "1.2"), ("version", "v1")));
        Assert.Equal(("web", "1.2"), Names(("app.kubernetes.io/name", "web"), ("app", "w"), ("app.kubernetes.io/version", "1.2"), ("version", "v1")));
        Assert.Equal(("w", "v1"), Names(("app", "w"), ("version", "v1")));
        Assert.Equal(("web", "latest"), Names());
        Assert.Equal(("web", "latest"), Names(("app", ""))); // an empty label names nothing
    }

    [Theory]
    [InlineData("ReplicaSet", "web-7d9f8b6c5", "7d9f8b6c5", "web")]
    [InlineData("ReplicaSet", "web-7d9f8b6c5", null, "web-7d9f8b6c5")]
    [InlineData("ReplicaSet", "web-7d9f8b6c5", "other", "web-7d9f8b6c5")]
    [InlineData("Job", "nightly-28391234", null, "nightly")]
    [InlineData("Job", "nightly-1234567", null, "nightly-1234567")] // 7 digits: not a CronJob's schedule
    [InlineData("Job", "nightly-12345678901", null, "nightly-12345678901")]
    [InlineData("Job", "nightly-2839123x", null, "nightly-2839123x")]
    [InlineData("DaemonSet", "agent", null, "agent")]
    public void An_owner_names_the_workload(string kind, string owner, string? hash, string expected)
    {
        var labels = hash is null ? null : new Dictionary<string, string> { ["pod-template-hash"] = hash };
        Assert.Equal(expected, WorkloadNames.FromOwner(kind, owner, labels));
    }

    private static (string, string) Names(params (string Key, string Value)[] labels)
    {
        var w = new Workload
        {
            Uid = "u",
            Name = "web-0",
            Controller = "web",
            Namespace = "shop",
            Node = "n",
            Addresses = [IPAddress.Loopback],
            Labels = labels.ToDictionary(l => l.Key, l => l.Value),
        };
        return (WorkloadNames.CanonicalService(w), WorkloadNames.CanonicalRevision(w));
    }
}
