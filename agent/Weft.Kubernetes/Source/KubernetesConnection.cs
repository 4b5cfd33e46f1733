using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Weft.Kubernetes.Source;

/// <summary>How the agent reaches the API server.</summary>
public static class KubernetesConnection
{
    /// <summary>Where kubelet mounts a pod's service-account token, CA and namespace.</summary>
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>
    /// A client from <paramref name="kubeconfigPath"/>, or else the pod's service account when running
    /// in a cluster, or else $KUBECONFIG / ~/.kube/config.
    /// </summary>
    /// <exception cref="KubernetesConnectionException">No usable configuration; the message says what to provide.</exception>
    public static ApiClient CreateClient(string? kubeconfigPath) => new(Endpoint(kubeconfigPath));

    public static ApiEndpoint Endpoint(string? kubeconfigPath)
    {
        try
        {
            var file = kubeconfigPath ?? DefaultKubeconfig();
            return file is null ? InCluster() : FromKubeconfig(KubeconfigFile.Read(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException or CryptographicException)
        {
            var where = kubeconfigPath is not null
                ? $"the kubeconfig {kubeconfigPath}"
                : $"the in-cluster service account (KUBERNETES_SERVICE_HOST and {ServiceAccountDirectory}), $KUBECONFIG or ~/.kube/config";
            throw new KubernetesConnectionException($"cannot configure the Kubernetes client from {where}: {e.Message}", e);
        }
    }

    /// <summary>The current context's cluster and user.</summary>
    /// <exception cref="FormatException">The context, its cluster or its user is missing; the message names the file.</exception>
    public static ApiEndpoint FromKubeconfig(Kubeconfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var file = config.FileName;
        var contextName = config.CurrentContext ?? throw new FormatException($"{file}: no current-context");
        var context = config.Contexts.FirstOrDefault(c => c.Name == contextName)
            ?? throw new FormatException($"{file}: current-context {contextName} is not among the contexts");
        var cluster = config.Clusters.FirstOrDefault(c => c.Name == context.Cluster)
            ?? throw new FormatException($"{file}: context {contextName} names cluster '{context.Cluster}', which is not among the clusters");
        var user = context.User is null ? null : config.Users.FirstOrDefault(u => u.Name == context.User)
            ?? throw new FormatException($"{file}: context {contextName} names user '{context.User}', which is not among the users");
        if (!Uri.TryCreate(cluster.Server, UriKind.Absolute, out var server) || server.Scheme is not ("https" or "http"))
        {
            throw new FormatException($"{file}: cluster {cluster.Name}: server must be an http(s) URL, not '{cluster.Server}'");
        }

        var caPem = cluster.CertificateAuthorityData is { } caData ? Base64Text(caData, file, "certificate-authority-data")
            : cluster.CertificateAuthority is { } caFile ? File.ReadAllText(caFile) : null;
        return new ApiEndpoint
        {
            Server = server,
            TrustedRoots = caPem is null ? null : Roots(caPem, file),
            InsecureSkipTlsVerify = cluster.InsecureSkipTlsVerify,
            TlsServerName = cluster.TlsServerName,
            ClientCertificate = user is null ? null : ClientCertificate(user, file),
            Credentials = user switch
            {
                { Token: { Length: > 0 } token } => new StaticTokenCredentials(token),
                { TokenFile: { } tokenFile } => new TokenFileCredentials(tokenFile),
                { Exec: { } exec } => new ExecCredentials(exec),
                { Username: { } name, Password: { } password } => new BasicCredentials(name, password),
                _ => null,
            },
        };
    }

    /// <summary>The pod's own service account, as kubelet mounts it; the token is re-read as kubelet rotates it.</summary>
    public static ApiEndpoint InCluster()
    {
        var host = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST");
        var port = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new IOException("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set");
        }

        var ca = Path.Combine(ServiceAccountDirectory, "ca.crt");
        return new ApiEndpoint
        {
            // An IPv6 service address needs its brackets in the URL.
            Server = new Uri($"https://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}"),
            TrustedRoots = Roots(File.ReadAllText(ca), ca),
            Credentials = new TokenFileCredentials(Path.Combine(ServiceAccountDirectory, "token")),
        };
    }

    private static X509Certificate2? ClientCertificate(KubeconfigUser user, string file)
    {
        var certPem = user.ClientCertificateData is { } certData ? Base64Text(certData, file, "client-certificate-data")
            : user.ClientCertificate is { } certFile ? File.ReadAllText(certFile) : null;
        var keyPem = user.ClientKeyData is { } keyData ? Base64Text(keyData, file, "client-key-data")
            : user.ClientKey is { } keyFile ? File.ReadAllText(keyFile) : null;
        if (certPem is null && keyPem is null)
        {
            return null;
        }

        if (certPem is null || keyPem is null)
        {
            throw new FormatException($"{file}: user {user.Name}: a client certificate needs both its certificate and its key");
        }

        return X509Certificate2.CreateFromPem(certPem, keyPem);
    }

    private static X509Certificate2Collection Roots(string pem, string file)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(pem);
        return roots.Count > 0 ? roots : throw new FormatException($"{file}: the certificate authority holds no PEM certificate");
    }

    private static string Base64Text(string base64, string file, string field)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException e)
        {
            throw new FormatException($"{file}: {field} is not base64", e);
        }
    }

    /// <summary>
    /// Null in a cluster (the service account); else the first file of $KUBECONFIG, or
    /// ~/.kube/config. Several files in $KUBECONFIG are not merged: pass --kubeconfig.
    /// </summary>
    private static string? DefaultKubeconfig()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST")) && File.Exists(Path.Combine(ServiceAccountDirectory, "token")))
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
            : throw new IOException("not in a cluster (no KUBERNETES_SERVICE_HOST), no $KUBECONFIG and no ~/.kube/config");
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
