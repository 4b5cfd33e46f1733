using System.Net;
using YamlDotNet.RepresentationModel;

namespace Weft.Workloads;

/// <summary>The <c>telemetry</c> section: the agent's listeners (metrics, readiness, admin), OTLP export, sampling, access log.</summary>
internal sealed partial class ConfigReader
{
    private static readonly string[] TelemetryFields = ["prometheus", "readiness", "admin", "otlp", "tracing", "accessLog"];
    private static readonly string[] PrometheusFields = ["enabled", "address"];
    private static readonly string[] ListenerFields = ["address"];
    private static readonly string[] OtlpFields = ["endpoint", "protocol", "metrics", "traces", "interval"];
    private static readonly string[] TracingFields = ["sampling"];
    private static readonly string[] AccessLogFields = ["format", "enabled"];
    private static readonly string[] OtlpProtocols = ["grpc", "http/protobuf"];
    private static readonly string[] AccessLogFormats = ["json", "text"];

    private TelemetrySettings Telemetry(YamlNode node, string field)
    {
        var f = reader.Fields(node, field, TelemetryFields);
        var defaults = TelemetrySettings.Default;

        var prometheusFields = Section(f, "prometheus", PrometheusFields);
        var prometheus = Listener(prometheusFields, f.Path("prometheus"), defaults.Prometheus.Address);
        var prometheusEnabled = (prometheusFields is not null ? OptionalBoolean(prometheusFields, "enabled") : null) ?? defaults.Prometheus.Enabled;
        var readiness = Listener(Section(f, "readiness", ListenerFields), f.Path("readiness"), defaults.Readiness.Address);
        var admin = Listener(Section(f, "admin", ListenerFields), f.Path("admin"), defaults.Admin.Address);

        // /config_dump shows every workload, address and policy of the node: not for the network.
        if (admin.Node is { } adminNode && !IPAddress.IsLoopback(admin.Address.Address))
        {
            throw reader.Error(adminNode, admin.Field,
                $"{admin.Address} is not a loopback address; the admin endpoint shows the config, so use 127.0.0.1 or [::1]");
        }

        // A disabled endpoint binds nothing, so its address may be anything.
        DistinctListeners(prometheusEnabled ? [prometheus, readiness, admin] : [readiness, admin]);

        return new TelemetrySettings
        {
            Prometheus = new PrometheusSettings { Enabled = prometheusEnabled, Address = prometheus.Address },
            Readiness = new ReadinessSettings { Address = readiness.Address },
            Admin = new AdminSettings { Address = admin.Address },
            Otlp = Section(f, "otlp", OtlpFields) is { } otlp ? Otlp(otlp) : null,
            Tracing = Section(f, "tracing", TracingFields) is { } tracing ? Tracing(tracing, defaults.Tracing) : defaults.Tracing,
            AccessLog = Section(f, "accessLog", AccessLogFields) is { } log ? AccessLog(log, defaults.AccessLog) : defaults.AccessLog,
        };
    }

    private OtlpSettings Otlp(FieldMap f)
    {
        // The endpoint has no sensible default (there is no collector to assume), so the section requires it.
        var defaults = new OtlpSettings { Endpoint = new Uri(RequiredText(f, "endpoint", ValueSyntax.IsHttpUrl, UrlRule)) };
        return defaults with
        {
            Protocol = f.Optional("protocol") is { } p
                ? Choice(p, f.Path("protocol"), OtlpProtocols, "protocol") == "grpc" ? OtlpProtocol.Grpc : OtlpProtocol.HttpProtobuf
                : defaults.Protocol,
            ExportMetrics = OptionalBoolean(f, "metrics") ?? defaults.ExportMetrics,
            ExportTraces = OptionalBoolean(f, "traces") ?? defaults.ExportTraces,
            MetricExportInterval = f.Optional("interval") is { } i
                ? Duration(i, f.Path("interval"), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), "10s, 1m or 1h")
                : defaults.MetricExportInterval,
        };
    }

    private TracingSettings Tracing(FieldMap f, TracingSettings defaults) => new()
    {
        SamplingRatio = f.Optional("sampling") is { } sampling ? Fraction(sampling, f.Path("sampling")) : defaults.SamplingRatio,
    };

    private AccessLogSettings AccessLog(FieldMap f, AccessLogSettings defaults) => new()
    {
        Format = f.Optional("format") is { } format
            ? Choice(format, f.Path("format"), AccessLogFormats, "format") == "json" ? AccessLogFormat.Json : AccessLogFormat.Text
            : defaults.Format,
        Enabled = OptionalBoolean(f, "enabled") ?? defaults.Enabled,
    };

    /// <summary>A sub-mapping's fields, or null when it is absent or empty (all defaults).</summary>
    private FieldMap? Section(FieldMap f, string key, string[] known) =>
        f.Optional(key) is { } node ? reader.Fields(node, f.Path(key), known) : null;

    private ListenerField Listener(FieldMap? section, string sectionField, IPEndPoint fallback)
    {
        var field = FieldPath.Child(sectionField, "address");
        if (section?.Optional("address") is not { } node)
        {
            return new ListenerField(field, fallback, null);
        }

        return EndpointSyntax.TryParse(reader.Scalar(node, field), out var endpoint, out var error)
            ? new ListenerField(field, endpoint, node)
            : throw reader.Error(node, field, error);
    }

    /// <summary>
    /// Two listeners on one port and address would fail at bind time, when the agent starts or
    /// reloads; caught here, the error names both fields. The later field in the file is the one
    /// reported, as with other duplicates; a defaulted one counts as coming first.
    /// </summary>
    private void DistinctListeners(ListenerField[] listeners)
    {
        var ordered = listeners.OrderBy(l => l.Node?.Start.Line ?? 0).ThenBy(l => l.Node?.Start.Column ?? 0).ToArray();
        for (var i = 0; i < ordered.Length; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var (later, first) = (ordered[i], ordered[j]);
                if (later.Node is not { } at || !EndpointSyntax.Overlap(later.Address, first.Address))
                {
                    continue;
                }

                var where = first.Node is { } firstNode ? $"line {NodeReader.ToInt(firstNode.Start.Line)}" : "its default";
                var detail = later.Address.Equals(first.Address)
                    ? $"{later.Address} is already {first.Field} ({where})"
                    : $"{later.Address} overlaps {first.Field} ({first.Address}, {where}): {EveryAddress(later.Address, first.Address)}";
                throw reader.Error(at, later.Field, detail);
            }
        }
    }

    private static string EveryAddress(IPEndPoint a, IPEndPoint b)
    {
        var wildcard = EndpointSyntax.IsUnspecified(a.Address) ? a.Address : b.Address;
        return $"{wildcard} listens on every {(wildcard.Equals(IPAddress.Any) ? "IPv4" : "IPv6")} address";
    }

    private double Fraction(YamlNode node, string field)
    {
        var text = reader.Scalar(node, field);
        return ValueSyntax.TryParseFraction(text, out var fraction)
            ? fraction
            : throw reader.Error(node, field, $"\"{text}\" is not a number between 0 and 1");
    }

    /// <summary>A listen address as read: its field path and, unless defaulted, the node it was written at.</summary>
    private readonly record struct ListenerField(string Field, IPEndPoint Address, YamlNode? Node);
}
