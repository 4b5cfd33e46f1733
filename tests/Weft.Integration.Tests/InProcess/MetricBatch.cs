using System.Globalization;
using OpenTelemetry.Metrics;

namespace Weft.Integration.Tests.InProcess;

/// <summary>One collection of every instrument, as the in-memory exporter received it.</summary>
internal sealed class MetricBatch(IReadOnlyList<MetricSnapshot> metrics)
{
    public IReadOnlyList<MetricSnapshot> Metrics { get; } = metrics;

    public MetricSnapshot Metric(string name) =>
        Metrics.SingleOrDefault(m => m.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"no metric {name}; exported: {string.Join(", ", Metrics.Select(m => m.Name).Order(StringComparer.Ordinal))}");

    /// <summary>The points of <paramref name="name"/> whose tags include every (key, value) pair given.</summary>
    public IReadOnlyList<MetricSample> Points(string name, params (string Key, string Value)[] match)
    {
        var metric = Metric(name);
        List<MetricSample> found = [];
        foreach (var p in metric.MetricPoints)
        {
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var t in p.Tags)
            {
                tags[t.Key] = Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? "";
            }

            if (match.All(m => tags.TryGetValue(m.Key, out var v) && v == m.Value))
            {
                found.Add(new MetricSample(tags, ValueOf(metric.MetricType, p)));
            }
        }

        return found;
    }

    /// <summary>The one point of <paramref name="name"/> with these tags (fails if there are none or several).</summary>
    public MetricSample Point(string name, params (string Key, string Value)[] match)
    {
        var points = Points(name, match);
        return points.Count == 1
            ? points[0]
            : throw new Xunit.Sdk.XunitException($"{points.Count} points of {name} match {string.Join(",", match.Select(m => $"{m.Key}={m.Value}"))}:\n"
                + string.Join("\n", Points(name).Select(p => p.ToString())));
    }

    /// <summary>The value of the one matching point, or 0 when there is none (an instrument or series not yet used).</summary>
    public double ValueOrZero(string name, params (string Key, string Value)[] match) =>
        Metrics.All(m => m.Name != name) ? 0 : Points(name, match) switch
        {
            [] => 0,
            [var one] => one.Value,
            var several => throw new Xunit.Sdk.XunitException($"{several.Count} points of {name} match"),
        };

    private static double ValueOf(MetricType type, in MetricPoint p) => type switch
    {
        MetricType.LongSum or MetricType.LongSumNonMonotonic => p.GetSumLong(),
        MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => p.GetSumDouble(),
        MetricType.LongGauge => p.GetGaugeLastValueLong(),
        MetricType.DoubleGauge => p.GetGaugeLastValueDouble(),
        _ => throw new NotSupportedException($"metric type {type}"),
    };
}

/// <summary>One point: its tags and its value.</summary>
internal sealed record MetricSample(IReadOnlyDictionary<string, string> Tags, double Value)
{
    public override string ToString() =>
        "{" + string.Join(",", Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}")) + "} " + Value.ToString(CultureInfo.InvariantCulture);
}
