namespace Weft.Tests.Shared.Otlp;

/// <summary>Span.SpanKind of opentelemetry-proto (trace.proto), by its wire values.</summary>
internal enum OtlpSpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

/// <summary>
/// A span as an OTLP receiver got it. Ids are lower-case hex; <see cref="ParentSpanId"/> is empty
/// for a root span. <see cref="Resource"/> holds the exporting process's resource attributes.
/// </summary>
internal sealed record OtlpSpan(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    OtlpSpanKind Kind,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyDictionary<string, string> Resource)
{
    /// <summary>The resource's service.instance.id (the agent sets its node name), or null.</summary>
    public string? ServiceInstanceId => Resource.GetValueOrDefault("service.instance.id");

    public string Attribute(string key) => Attributes.GetValueOrDefault(key) ?? "(absent)";

    public override string ToString() =>
        $"{Name} {Kind} trace={TraceId} span={SpanId} parent={(ParentSpanId.Length == 0 ? "-" : ParentSpanId)} from={ServiceInstanceId} " +
        string.Join(' ', Attributes.Select(a => $"{a.Key}={a.Value}"));
}

/// <summary>One metric of an export: its name and the exporting process's service.instance.id.</summary>
internal sealed record OtlpMetric(string Name, string? ServiceInstanceId);
