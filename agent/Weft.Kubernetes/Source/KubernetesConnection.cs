using k8s;
using k8s.Exceptions;

namespace Weft.Kubernetes.Source;

/// <summary>How the agent reaches the API server.</summary>
public static class KubernetesConnection
{
    /// <summary>
    /// A client from <paramref name="kubeconfigPath"/>, or else the pod's service account when running
    /// in a cluster, or else $KUBECONFIG / ~/.kube/config.
    /// </summary>
    /// <exception cref="KubernetesConnectionException">No usable configuration; the message says what to provide.</exception>
    public static IKubernetes CreateClient(string? kubeconfigPath)
    {
        KubernetesClientConfiguration config;
        try
        {
            // Not the library's BuildConfigFromConfigFile / BuildDefaultConfig: their YAML reader needs
            // reflection the native agent does not have (KubeconfigFile).
            var file = kubeconfigPath ?? DefaultKubeconfig();
            config = file is null
                ? KubernetesClientConfiguration.InClusterConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigObject(KubeconfigFile.Read(file));
        }
        catch (Exception e) when (e is KubeConfigException or IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            var where = kubeconfigPath is not null
                ? $"the kubeconfig {kubeconfigPath}"
                : "the in-cluster service account (KUBERNETES_SERVICE_HOST and /var/run/secrets/kubernetes.io/serviceaccount), $KUBECONFIG or ~/.kube/config";
            throw new KubernetesConnectionException($"cannot configure the Kubernetes client from {where}: {e.Message}", e);
        }

        return new k8s.Kubernetes(config);
    }

    /// <summary>
    /// Null in a cluster (the service account); else the first file of $KUBECONFIG, or
    /// ~/.kube/config. Several files in $KUBECONFIG are not merged: pass --kubeconfig.
    /// </summary>
    private static string? DefaultKubeconfig()
    {
        if (KubernetesClientConfiguration.IsInCluster())
        {
            return null;
        }

        var list = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (!string.IsNullOrEmpty(list))
        {
            return list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)[0];
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var config = Path.Combine(home, ".kube", "config");
        return File.Exists(config) ? config
            : throw new KubeConfigException("not in a cluster (no KUBERNETES_SERVICE_HOST), no $KUBECONFIG and no ~/.kube/config");
    }
}

/// <summary>The agent cannot be configured to reach the API server.</summary>
public sealed class KubernetesConnectionException : Exception
{
    public KubernetesConnectionException()
    {
    }

    public KubernetesConnectionException(string message)
        : base(message)
    {
    }

    public KubernetesConnectionException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
