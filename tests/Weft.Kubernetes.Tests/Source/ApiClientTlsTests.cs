using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Weft.Kubernetes.Api;
using Weft.Kubernetes.Source;
using Weft.Kubernetes.Watch;
using Weft.Tests.Shared.Kubernetes;

namespace Weft.Kubernetes.Tests.Source;

/// <summary>
/// The agent's own client against an HTTPS stand-in API server, configured through a kubeconfig as an
/// operator writes one: only the kubeconfig's CA is trusted, the server's name is checked (or the one
/// tls-server-name gives), and the client certificate is presented.
/// </summary>
public sealed class ApiClientTlsTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("weft-apitls-");
    private readonly Pki pki = new();

    public void Dispose()
    {
        pki.Dispose();
        dir.Delete(recursive: true);
    }

    [Fact]
    public async Task The_kubeconfig_s_ca_and_client_certificate_reach_an_https_api_server()
    {
        using var server = new StandInApiServer(pki.Server(ip: true));
        server.Upsert(new V1Namespace { Metadata = new() { Name = "over-tls" } });

        using var client = Client(server, pki.CaPem);
        var list = await ListNamespaces(client);

        Assert.Equal("over-tls", Assert.Single(list.Items!).Metadata.Name);
        Assert.Contains("CN=agent", server.ClientCertificates);
    }

    [Fact]
    public async Task A_server_certificate_from_another_ca_is_refused()
    {
        using var server = new StandInApiServer(pki.Server(ip: true));
        using var other = new Pki();

        using var client = Client(server, other.CaPem);
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => ListNamespaces(client));

        Assert.IsType<System.Security.Authentication.AuthenticationException>(e.InnerException);
    }

    [Fact]
    public async Task The_server_s_name_is_checked_and_tls_server_name_names_it()
    {
        // Valid, from the right CA, but for kubernetes.default only, not for the address dialled.
        using var server = new StandInApiServer(pki.Server(ip: false));

        using (var client = Client(server, pki.CaPem))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => ListNamespaces(client));
        }

        using (var named = Client(server, pki.CaPem, tlsServerName: "kubernetes.default"))
        {
            Assert.NotNull(await ListNamespaces(named));
        }
    }

    private ApiClient Client(StandInApiServer server, string caPem, string? tlsServerName = null)
    {
        static string B64(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));
        var path = Path.Combine(dir.FullName, $"config-{Guid.NewGuid():N}");
        File.WriteAllText(path, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: {{server.BaseUri.AbsoluteUri}}
                certificate-authority-data: {{B64(caPem)}}
            {{(tlsServerName is null ? "" : $"    tls-server-name: {tlsServerName}")}}
            contexts:
            - name: c
              context:
                cluster: c
                user: u
            current-context: c
            users:
            - name: u
              user:
                client-certificate-data: {{B64(pki.ClientPem)}}
                client-key-data: {{B64(pki.ClientKeyPem)}}
            """);
        return new ApiClient(KubernetesConnection.FromKubeconfig(KubeconfigFile.Read(path)) with { UseProxy = false });
    }

    private static Task<ObjectList<ClusterNamespace>> ListNamespaces(ApiClient client) =>
        ApiRequest.ListAsync(client, "api/v1/namespaces", null, null, 10, ApiJson.Default.ObjectListClusterNamespace, default);

    /// <summary>A CA, a client certificate it signed, and server certificates on demand.</summary>
    private sealed class Pki : IDisposable
    {
        private readonly ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        private readonly X509Certificate2 ca;

        public Pki()
        {
            var request = new CertificateRequest("CN=test cluster ca", caKey, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var client = Issue("CN=agent", key, null, X509KeyUsageFlags.DigitalSignature);
            ClientPem = client.ExportCertificatePem();
            ClientKeyPem = key.ExportPkcs8PrivateKeyPem();
        }

        public string CaPem => ca.ExportCertificatePem();

        public string ClientPem { get; }

        public string ClientKeyPem { get; }

        /// <summary>For kubernetes.default, and for 127.0.0.1 too when <paramref name="ip"/>.</summary>
        public X509Certificate2 Server(bool ip)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("kubernetes.default");
            if (ip)
            {
                names.AddIpAddress(IPAddress.Loopback);
            }

            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var cert = Issue("CN=kube-apiserver", key, names, X509KeyUsageFlags.DigitalSignature);
            return cert.CopyWithPrivateKey(key);
        }

        public void Dispose()
        {
            ca.Dispose();
            caKey.Dispose();
        }

        private X509Certificate2 Issue(string subject, ECDsa key, SubjectAlternativeNameBuilder? names, X509KeyUsageFlags usage)
        {
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
            if (names is not null)
            {
                request.CertificateExtensions.Add(names.Build());
            }

            return request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1), RandomNumberGenerator.GetBytes(8));
        }
    }
}
