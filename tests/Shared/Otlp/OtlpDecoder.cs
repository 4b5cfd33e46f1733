using System.Globalization;
using Google.Protobuf;

namespace Weft.Tests.Shared.Otlp;

/// <summary>
/// Decodes OTLP export requests (opentelemetry-proto's collector/*/v1 service messages) by field
/// number: the spans of an ExportTraceServiceRequest and the metric names of an ExportMetricsServiceRequest.
/// </summary>
internal static class OtlpDecoder
{
    /// <summary>ExportTraceServiceRequest{1: ResourceSpans{1: Resource, 2: ScopeSpans{2: Span}}}.</summary>
    public static List<OtlpSpan> Spans(ByteString request)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in ProtoFields.Read(request).Messages(1))
        {
            var fields = ProtoFields.Read(resourceSpans);
            var resource = ResourceOf(fields);
            foreach (var scopeSpans in fields.Messages(2))
            {
                foreach (var span in ProtoFields.Read(scopeSpans).Messages(2))
                {
                    spans.Add(Span(ProtoFields.Read(span), resource));
                }
            }
        }

        return spans;
    }

    /// <summary>ExportMetricsServiceRequest{1: ResourceMetrics{1: Resource, 2: ScopeMetrics{2: Metric{1: name}}}}.</summary>
    public static List<OtlpMetric> Metrics(ByteString request)
    {
        var metrics = new List<OtlpMetric>();
        foreach (var resourceMetrics in ProtoFields.Read(request).Messages(1))
        {
            var fields = ProtoFields.Read(resourceMetrics);
            var instance = ResourceOf(fields).GetValueOrDefault("service.instance.id");
            foreach (var scopeMetrics in fields.Messages(2))
            {
                foreach (var metric in ProtoFields.Read(scopeMetrics).Messages(2))
                {
                    metrics.Add(new OtlpMetric(ProtoFields.Read(metric).Single(1)?.Text ?? "", instance));
                }
            }
        }

        return metrics;
    }

    /// <summary>Span{1: trace_id, 2: span_id, 4: parent_span_id, 5: name, 6: kind, 9: attributes}.</summary>
    private static OtlpSpan Span(List<ProtoField> f, IReadOnlyDictionary<string, string> resource) => new(
        f.Single(1)?.Hex ?? "",
        f.Single(2)?.Hex ?? "",
        f.Single(4)?.Hex ?? "",
        f.Single(5)?.Text ?? "",
        (OtlpSpanKind)(f.Single(6)?.Scalar ?? 0),
        Attributes(f.Messages(9)),
        resource);

    /// <summary>The attributes of field 1 (Resource{1: attributes}) of a ResourceSpans or ResourceMetrics; empty without one.</summary>
    private static Dictionary<string, string> ResourceOf(List<ProtoField> resourceSignal) =>
        resourceSignal.Single(1) is { } resource ? Attributes(ProtoFields.Read(resource.Bytes).Messages(1)) : [];

    /// <summary>KeyValue{1: key, 2: AnyValue}, each value rendered as text.</summary>
    private static Dictionary<string, string> Attributes(IEnumerable<ByteString> keyValues)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in keyValues)
        {
            var f = ProtoFields.Read(kv);
            attributes[f.Single(1)?.Text ?? ""] = f.Single(2) is { } value ? Value(value.Bytes) : "";
        }

        return attributes;
    }

    /// <summary>AnyValue{1: string, 2: bool, 3: int64, 4: double, 5: ArrayValue{1: values}, 6: KeyValueList{1: values}, 7: bytes}.</summary>
    private static string Value(ByteString anyValue)
    {
        // A oneof: of several set fields the last one counts.
        if (ProtoFields.Read(anyValue) is not [.., var v])
        {
            return "";
        }

        return v.Number switch
        {
            1 => v.Text,
            2 => v.Scalar != 0 ? "true" : "false",
            3 => ((long)v.Scalar).ToString(CultureInfo.InvariantCulture),
            4 => BitConverter.UInt64BitsToDouble(v.Scalar).ToString("R", CultureInfo.InvariantCulture),
            5 => "[" + string.Join(',', ProtoFields.Read(v.Bytes).Messages(1).Select(Value)) + "]",
            6 => "{" + string.Join(',', Attributes(ProtoFields.Read(v.Bytes).Messages(1)).Select(a => $"{a.Key}={a.Value}")) + "}",
            7 => v.Hex,
            _ => "",
        };
    }
}
