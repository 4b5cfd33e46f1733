using System.Net.Http.Headers;
using k8s;
using Weft.Kubernetes.Source;

namespace Weft.Kubernetes.Tests.Source;

/// <summary>
/// Our kubeconfig reader and endpoint resolution against KubernetesClient's own: the same file must
/// give the same server, credentials, trust and client certificate.
/// </summary>
public sealed class KubeconfigFileTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("weft-kubeconfig-");

    public void Dispose() => dir.Delete(recursive: true);

    [Fact]
    public async Task A_kubeconfig_with_two_clusters_a_token_and_a_namespace_reads_as_the_library_reads_it()
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

        var config = KubeconfigFile.Read(path);
        var ours = KubernetesConnection.FromKubeconfig(config);
        var theirs = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);

        Assert.Equal(new Uri("https://192.0.2.10:6443"), ours.Server);
        Assert.Equal(new Uri(theirs.Host), ours.Server);
        Assert.Equal(new AuthenticationHeaderValue("Bearer", "abc.def.ghi"), await ours.Credentials!.HeaderAsync(default));
        Assert.Equal(theirs.AccessToken, (await ours.Credentials.HeaderAsync(default)).Parameter);
        Assert.Equal("weft-system", config.Contexts.Single(c => c.Name == config.CurrentContext).Namespace);
        Assert.Equal(theirs.Namespace, config.Contexts.Single(c => c.Name == config.CurrentContext).Namespace);
        Assert.True(ours.InsecureSkipTlsVerify);
        Assert.Equal("kubernetes.default", ours.TlsServerName);
        Assert.Equal(theirs.TlsServerName, ours.TlsServerName);
    }

    [Fact]
    public async Task Basic_credentials_and_a_token_file_are_read_as_the_library_reads_them()
    {
        Write("token", "from.the.file\n");
        var path = Write("config", """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://192.0.2.10:6443"}}]
            contexts:
            - {name: basic, context: {cluster: c, user: basic}}
            - {name: file, context: {cluster: c, user: file}}
            current-context: basic
            users:
            - {name: basic, user: {username: admin, password: "s3cret"}}
            - {name: file, user: {tokenFile: token}}
            """);

        var basic = KubernetesConnection.FromKubeconfig(KubeconfigFile.Read(path));
        Assert.Equal(new AuthenticationHeaderValue("Basic", Convert.ToBase64String("admin:s3cret"u8.ToArray())), await basic.Credentials!.HeaderAsync(default));
        var theirs = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        Assert.Equal(("admin", "s3cret"), (theirs.Username, theirs.Password));

        var file = KubernetesConnection.FromKubeconfig(KubeconfigFile.Read(path) with { CurrentContext = "file" });
        Assert.Equal(new AuthenticationHeaderValue("Bearer", "from.the.file"), await file.Credentials!.HeaderAsync(default));
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

        var config = KubeconfigFile.Read(path);
        var ours = KubernetesConnection.FromKubeconfig(config);
        var theirs = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);

        var user = config.Users.Single();
        Assert.Equal(Path.Combine(dir.FullName, "client.crt"), user.ClientCertificate);
        Assert.Equal(theirs.ClientCertificateFilePath, user.ClientCertificate);
        Assert.Equal(Path.Combine(dir.FullName, "client.key"), user.ClientKey);
        Assert.Equal(theirs.ClientKeyFilePath, user.ClientKey);
        Assert.NotNull(ours.ClientCertificate);
        Assert.True(ours.ClientCertificate.HasPrivateKey);
        Assert.Equal("CN=agent", ours.ClientCertificate.Subject);
        Assert.NotNull(ours.TrustedRoots);
        Assert.Equal(theirs.SslCaCerts!.Single().Thumbprint, Assert.Single(ours.TrustedRoots).Thumbprint);
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

        var exec = KubeconfigFile.Read(path).Users.Single().Exec!;

        Assert.Equal("get-token", exec.Command);
        Assert.Equal(new[] { "--cluster", "lab" }, exec.Args);
        Assert.Equal("client.authentication.k8s.io/v1", exec.ApiVersion);
        Assert.Equal(new KeyValuePair<string, string>("REGION", "here"), Assert.Single(exec.Env));
        Assert.IsType<ExecCredentials>(KubernetesConnection.FromKubeconfig(KubeconfigFile.Read(path)).Credentials);
    }

    [Fact]
    public async Task An_exec_plugin_s_token_is_used_until_it_expires_and_a_failing_plugin_says_why()
    {
        // A real plugin process: a shell script printing an ExecCredential, counting its runs.
        var runs = Path.Combine(dir.FullName, "runs");
        var script = Write("plugin.sh", $$$"""
            #!/bin/sh
            echo run >> {{{runs}}}
            [ "$REGION" = here ] || { echo "REGION missing" >&2; exit 3; }
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok-'$(wc -l < {{{runs}}})'","expirationTimestamp":"2030-01-01T00:00:00Z"}}'
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var plugin = new ExecCredentials(new KubeconfigExec("client.authentication.k8s.io/v1", script, [], [new("REGION", "here")]));

        Assert.Equal("tok-1", (await plugin.HeaderAsync(default)).Parameter);
        Assert.Equal("tok-1", (await plugin.HeaderAsync(default)).Parameter);
        Assert.Single(File.ReadAllLines(runs));

        var failing = new ExecCredentials(new KubeconfigExec(null, script, [], []));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await failing.HeaderAsync(default));
        Assert.Contains("exited with 3: REGION missing", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"status":{"clientCertificateData":"x","clientKeyData":"y"}}""", "answers with a client certificate")]
    [InlineData("""{"status":{}}""", "printed no status.token")]
    [InlineData("not json", "printed something other than an ExecCredential")]
    public void An_exec_plugin_answer_without_a_token_is_refused_with_a_reason(string output, string expected)
    {
        var e = Assert.Throws<InvalidOperationException>(() => ExecCredentials.Parse(output, "plugin"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_file_is_read_again_after_a_minute_and_kept_while_it_is_briefly_gone()
    {
        // As kubelet rotates a projected service-account token: the file is replaced under the agent.
        var path = Write("token", "first\n");
        var clock = new SteppedClock();
        var credentials = new TokenFileCredentials(path, clock);
        Assert.Equal("first", (await credentials.HeaderAsync(default)).Parameter);

        File.WriteAllText(path, "second");
        Assert.Equal("first", (await credentials.HeaderAsync(default)).Parameter);
        clock.Now += TimeSpan.FromSeconds(61);
        Assert.Equal("second", (await credentials.HeaderAsync(default)).Parameter);

        File.Delete(path);
        clock.Now += TimeSpan.FromSeconds(61);
        Assert.Equal("second", (await credentials.HeaderAsync(default)).Parameter);
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

    private sealed class SteppedClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(dir.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
