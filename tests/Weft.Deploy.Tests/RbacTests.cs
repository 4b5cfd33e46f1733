using k8s.Models;

namespace Weft.Deploy.Tests;

public class RbacTests
{
    [Fact]
    public void The_cluster_role_only_reads_namespaces_pods_services_and_endpointslices()
    {
        var granted = Deploy.ClusterRole.Rules
            .SelectMany(r => r.ApiGroups.SelectMany(g => r.Resources.Select(res => (Group: g, Resource: res, Verbs: string.Join(",", r.Verbs.Order(StringComparer.Ordinal))))))
            .OrderBy(x => x.Group, StringComparer.Ordinal).ThenBy(x => x.Resource, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(
            new[] { ("", "namespaces", "get,list,watch"), ("", "pods", "get,list,watch"), ("", "services", "get,list,watch"), ("discovery.k8s.io", "endpointslices", "get,list,watch") },
            granted);
        Assert.All(Deploy.ClusterRole.Rules, r =>
        {
            Assert.Null(r.ResourceNames);
            Assert.Null(r.NonResourceURLs);
        });
        Assert.Null(Deploy.ClusterRole.AggregationRule);
    }

    [Fact]
    public void The_binding_gives_that_role_to_the_agents_service_account()
    {
        var binding = Deploy.Single<V1ClusterRoleBinding>();
        Assert.Equal(("rbac.authorization.k8s.io", "ClusterRole", Deploy.ClusterRole.Metadata.Name), (binding.RoleRef.ApiGroup, binding.RoleRef.Kind, binding.RoleRef.Name));
        var subject = Assert.Single(binding.Subjects);
        var account = Deploy.Single<V1ServiceAccount>();
        Assert.Equal(("ServiceAccount", account.Metadata.Name, Deploy.Namespace), (subject.Kind, subject.Name, subject.NamespaceProperty));
        Assert.Equal(account.Metadata.Name, Deploy.Pod.ServiceAccountName);
    }
}
