namespace Weft.Kubernetes.Source;

/// <summary>A kubeconfig file as far as the agent reads it; paths in it are already made absolute (beside the file).</summary>
public sealed record Kubeconfig(string FileName, string? CurrentContext,
    IReadOnlyList<KubeconfigCluster> Clusters, IReadOnlyList<KubeconfigContext> Contexts, IReadOnlyList<KubeconfigUser> Users);

public sealed record KubeconfigCluster(string Name, string? Server, string? CertificateAuthority, string? CertificateAuthorityData,
    bool InsecureSkipTlsVerify, string? TlsServerName);

public sealed record KubeconfigContext(string Name, string? Cluster, string? User, string? Namespace);

public sealed record KubeconfigUser(string Name, string? ClientCertificate, string? ClientCertificateData, string? ClientKey, string? ClientKeyData,
    string? Token, string? TokenFile, string? Username, string? Password, KubeconfigExec? Exec);

/// <summary>A client-go credential plugin: a command that prints an ExecCredential.</summary>
public sealed record KubeconfigExec(string? ApiVersion, string Command, IReadOnlyList<string> Args, IReadOnlyList<KeyValuePair<string, string>> Env);
