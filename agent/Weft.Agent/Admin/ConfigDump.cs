using System.Text.Json;
using Weft.Agent.Identity;
using Weft.Identity;
using Weft.Workloads;

namespace Weft.Agent.Admin;

/// <summary>
/// The agent's view for /config_dump: the config in force, which pods are enrolled and why,
/// services, policies and mTLS modes, and the certificates held (identity, validity, serial —
/// never a key). Written by hand with Utf8JsonWriter, so nothing is serialised by accident.
/// </summary>
public static class ConfigDump
{
    public static void Write(Utf8JsonWriter w, LocalConfig config, IReadOnlySet<string> enrolledUids, CertificateManager certificates)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(enrolledUids);
        ArgumentNullException.ThrowIfNull(certificates);
        w.WriteStartObject();
        w.WriteString("node", config.Node);
        w.WriteString("trustDomain", config.TrustDomain);
        w.WriteString("configFile", config.SourcePath);
        w.WriteStartArray("workloads");
        foreach (var workload in config.Workloads)
        {
            var membership = MeshMembership.Reason(config, workload);
            w.WriteStartObject();
            w.WriteString("uid", workload.Uid);
            w.WriteString("name", workload.Name);
            w.WriteString("namespace", workload.Namespace);
            w.WriteString("serviceAccount", workload.ServiceAccount);
            w.WriteString("identity", WorkloadIdentities.IdentityOf(config, workload).ToString());
            w.WriteString("node", workload.Node);
            Strings(w, "addresses", workload.Addresses.Select(a => a.ToString()));
            Map(w, "labels", workload.Labels);
            w.WriteBoolean("inMesh", MeshMembership.InMesh(config, workload));
            w.WriteBoolean("enrolled", enrolledUids.Contains(workload.Uid));
            w.WriteString("enrolment", membership.Description);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("services");
        foreach (var service in config.Services)
        {
            w.WriteStartObject();
            w.WriteString("name", service.Name);
            w.WriteString("namespace", service.Namespace);
            Strings(w, "addresses", service.Addresses.Select(a => a.ToString()));
            Map(w, "ports", service.Ports.ToDictionary(p => p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Map(w, "selector", service.Selector);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("policies");
        foreach (var policy in config.Policies)
        {
            w.WriteStartObject();
            w.WriteString("name", policy.ToString());
            w.WriteString("action", policy.Action.ToString().ToUpperInvariant());
            Map(w, "selector", policy.Selector);
            w.WriteNumber("rules", policy.Rules.Count);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("mtls");
        foreach (var mtls in config.Mtls)
        {
            w.WriteStartObject();
            w.WriteString("namespace", mtls.Namespace ?? config.RootNamespace);
            Map(w, "selector", mtls.Selector);
            w.WriteString("mode", mtls.Mode.ToString().ToUpperInvariant());
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("certificates");
        foreach (var id in certificates.Identities.OrderBy(i => i.ToString(), StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("identity", id.ToString());
            if (certificates.TryGetCurrent(id) is { } cert)
            {
                w.WriteString("notBefore", cert.NotBefore);
                w.WriteString("notAfter", cert.NotAfter);
                w.WriteString("serial", cert.Certificate.SerialNumber);
                w.WriteString("issuer", cert.Certificate.Issuer);
            }
            else
            {
                w.WriteString("state", "not issued yet");
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void Map(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, string> map)
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
    }
}
