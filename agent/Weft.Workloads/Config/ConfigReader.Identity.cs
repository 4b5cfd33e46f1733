using YamlDotNet.RepresentationModel;

namespace Weft.Workloads;

/// <summary>The `identity` section: certificate authority and certificate lifetime.</summary>
internal sealed partial class ConfigReader
{
    private static readonly string[] IdentityFields = ["ca", "stateDir", "istioCa", "certificateTtl"];
    private static readonly string[] CaFields = ["cert", "key"];
    private static readonly string[] IstioCaFields = ["address", "rootCert", "tokenFile", "clusterId"];

    private IdentitySettings Identity(YamlNode node, string field)
    {
        var f = reader.Fields(node, field, IdentityFields);
        string? cert = null, key = null;
        if (f.Optional("ca") is { } caNode)
        {
            var ca = reader.Fields(caNode, f.Path("ca"), CaFields);
            cert = RequiredText(ca, "cert", ValueSyntax.IsAbsolutePath, PathRule);
            key = RequiredText(ca, "key", ValueSyntax.IsAbsolutePath, PathRule);
        }

        IstioCaSettings? istio = null;
        if (f.Optional("istioCa") is { } istioNode)
        {
            if (cert is not null)
            {
                throw reader.Error(istioNode, f.Path("istioCa"), "set either ca (the embedded CA) or istioCa, not both");
            }

            var i = reader.Fields(istioNode, f.Path("istioCa"), IstioCaFields);
            // The agent sends its token and CSRs there: TLS only, as IdentityOptions requires too.
            var address = RequiredText(i, "address", a => ValueSyntax.IsHttpUrl(a) && a.StartsWith("https://", StringComparison.OrdinalIgnoreCase), "is not an https URL (the CA is reached over TLS only)");
            istio = new IstioCaSettings
            {
                Address = new Uri(address),
                RootCert = OptionalText(i, "rootCert", ValueSyntax.IsAbsolutePath, PathRule),
                TokenFile = OptionalText(i, "tokenFile", ValueSyntax.IsAbsolutePath, PathRule),
                ClusterId = OptionalText(i, "clusterId", _ => true, "") ?? "Kubernetes",
            };
        }

        return new IdentitySettings
        {
            CaCert = cert,
            CaKey = key,
            IstioCa = istio,
            StateDir = OptionalText(f, "stateDir", ValueSyntax.IsAbsolutePath, PathRule) ?? IdentitySettings.DefaultStateDir,
            CertificateTtl = f.Optional("certificateTtl") is { } ttl
                ? Duration(ttl, f.Path("certificateTtl"), TimeSpan.FromMinutes(1), TimeSpan.FromDays(366), "24h, 90m or 3600s")
                : TimeSpan.FromHours(24),
        };
    }
}
