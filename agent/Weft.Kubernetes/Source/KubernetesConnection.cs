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
            config = kubeconfigPath is not null
                ? KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath)
                : KubernetesClientConfiguration.BuildDefaultConfig();
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
