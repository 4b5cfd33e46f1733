using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Weft.Agent.Cli;
using Weft.Kubernetes.Source;
using Weft.Kubernetes.Watch;
using Weft.Platform.Host;
using Weft.Platform.Netns;
using Weft.Workloads;

namespace Weft.Agent.Hosting;

/// <summary>`weft agent --kubernetes`: workloads from the API server, settings and policies from the config file.</summary>
internal static class KubernetesHosting
{
    public static IServiceCollection AddKubernetesWorkloads(this IServiceCollection services, AgentOptions options, LocalConfig startConfig)
    {
        services.AddSingleton(_ => KubernetesConnection.CreateClient(options.KubeconfigPath));
        services.AddSingleton(sp => new ClusterWatch(sp.GetRequiredService<ApiClient>(), new ClusterWatchOptions(), sp.GetRequiredService<ILogger<ClusterWatch>>()));
        // Kubelet's pod cgroups are below the directory capture attaches to (the whole hierarchy by default).
        services.AddSingleton(sp => new PodNetnsFinder(
            startConfig.CgroupRoot ?? CgroupId.Cgroup2Mount() ?? throw new HostRequirementException(
                "No cgroup v2 file system is mounted: pods' network namespaces are found through their cgroups; mount the host's /sys/fs/cgroup into the agent."),
            sp.GetRequiredService<ILogger<PodNetnsFinder>>()));
        services.AddSingleton(sp => new LocalConfigSource(
            options.ConfigPath, sp.GetRequiredService<ILogger<LocalConfigSource>>(), new LocalConfigSourceOptions { Mode = options.ConfigMode }));
        services.AddSingleton(sp => new KubernetesWorkloadSource(
            sp.GetRequiredService<LocalConfigSource>(),
            sp.GetRequiredService<ClusterWatch>(),
            sp.GetRequiredService<PodNetnsFinder>(),
            new KubernetesSourceOptions(),
            sp.GetRequiredService<ILogger<KubernetesWorkloadSource>>()));
        services.AddSingleton<IWorkloadSource>(sp => sp.GetRequiredService<KubernetesWorkloadSource>());
        services.AddHostedService(sp => sp.GetRequiredService<KubernetesWorkloadSource>());
        return services;
    }
}
