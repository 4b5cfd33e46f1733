using k8s;
using Weft.Kubernetes.Source;

namespace Weft.Kubernetes.Tests.Source;

/// <summary>
/// Our kubeconfig reader (the native agent's) against KubernetesClient's own reflection-based one:
/// the same file must give the same client configuration.
/// </summary>
public sealed class KubeconfigFileTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("weft-kubeconfig-");

    public void Dispose() => dir.Delete(recursive: true);

    [Fact]
    public void A_kubeconfig_with_two_clusters_a_token_and_a_namespace_reads_as_the_library_reads_it()
    {
        var path = Write("config", """
            apiVersion: v1
            kind: Config
            preferences: {}
            clusters:
            - name: other
              cluster:
                server: https://198.51.100.9:6443
                insecure-skip-tls-verify: true
            - name: lab
              cluster:
                server: https://192.0.2.10:6443
                tls-server-name: kubernetes.default
                insecure-skip-tls-verify: true
            contexts:
            - name: other
              context: {cluster: other, user: nobody}
            - name: lab
              context:
                cluster: lab
                user: agent
                namespace: weft-system
            users:
            - name: nobody
              user: {username: u, password: p}
            - name: agent
              user:
                token: abc.def.ghi
            current-context: lab
            """);

        var ours = KubernetesClientConfiguration.BuildConfigFromConfigObject(KubeconfigFile.Read(path));
        var theirs = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);

        Assert.Equal("https://192.0.2.10:6443", ours.Host);
        Assert.Equal(theirs.Host, ours.Host);
        Assert.Equal("abc.def.ghi", ours.AccessToken);
        Assert.Equal(theirs.AccessToken, ours.AccessToken);
        Assert.Equal("weft-system", ours.Namespace);
        Assert.Equal(theirs.Namespace, ours.Namespace);
        Assert.True(ours.SkipTlsVerify);
        Assert.Equal(theirs.TlsServerName, ours.TlsServerName);
        Assert.Equal("lab", ours.CurrentContext);
    }

    [Fact]
    public void Relative_certificate_paths_resolve_beside_the_file_and_inline_data_is_read()
    {
        var (caPem, certPem, keyPem) = CaAndClient();
        Write("client.crt", certPem);
        Write("client.key", keyPem);
        var path = Write("config", $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: https://192.0.2.10:6443
                certificate-authority-data: {{Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(caPem))}}
            contexts:
            - name: c
              context: {cluster: c, user: u}
            current-context: c
            users:
            - name: u
              user:
                client-certificate: client.crt
                client-key: client.key
            """);

        var ours = KubernetesClientConfiguration.BuildConfigFromConfigObject(KubeconfigFile.Read(path));
        var theirs = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);

        Assert.Equal(Path.Combine(dir.FullName, "client.crt"), ours.ClientCertificateFilePath);
        Assert.Equal(theirs.ClientCertificateFilePath, ours.ClientCertificateFilePath);
        Assert.Equal(Path.Combine(dir.FullName, "client.key"), ours.ClientKeyFilePath);
        Assert.Equal(theirs.ClientKeyFilePath, ours.ClientKeyFilePath);
        Assert.NotNull(ours.SslCaCerts);
        Assert.Equal(theirs.SslCaCerts!.Single().Thumbprint, Assert.Single(ours.SslCaCerts).Thumbprint);
    }

    [Fact]
    public void An_exec_plugin_is_read_with_its_arguments_and_environment()
    {
        var path = Write("config", """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://192.0.2.10:6443"}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            current-context: c
            users:
            - name: u
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: get-token
                  args: [--cluster, lab]
                  env:
                  - {name: REGION, value: here}
            """);

        var exec = KubeconfigFile.Read(path).Users.Single().UserCredentials.ExternalExecution;

        Assert.Equal("get-token", exec.Command);
        Assert.Equal(new[] { "--cluster", "lab" }, exec.Arguments);
        Assert.Equal("client.authentication.k8s.io/v1", exec.ApiVersion);
        var env = Assert.Single(exec.EnvironmentVariables);
        Assert.Equal("REGION", env["name"]);
        Assert.Equal("here", env["value"]);
    }

    [Theory]
    [InlineData("clusters: {name: c}\n", "line 1: clusters must be a list")]
    [InlineData("clusters:\n- name: c\n  cluster: [a]\n", "line 3: cluster must be a mapping")]
    [InlineData("clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-verify: maybe\n", "line 4: insecure-skip-tls-verify must be true or false")]
    [InlineData("clusters: [\n", "not valid YAML")]
    [InlineData("- a\n- b\n", "a kubeconfig is one YAML mapping")]
    public void A_malformed_kubeconfig_is_refused_naming_the_file_the_field_and_the_line(string yaml, string expected)
    {
        var path = Write("config", yaml);

        var e = Assert.Throws<FormatException>(() => KubeconfigFile.Read(path));

        Assert.StartsWith(path + ":", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    /// <summary>A self-signed CA and a client certificate it signed, as PEM.</summary>
    private static (string Ca, string Cert, string Key) CaAndClient()
    {
        using var caKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var caRequest = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=test ca", caKey, System.Security.Cryptography.HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=agent", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1), [1, 2, 3]);
        return (ca.ExportCertificatePem(), cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(dir.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
