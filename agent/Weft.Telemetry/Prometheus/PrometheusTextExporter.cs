using System.Collections;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Weft.Telemetry.Prometheus;

/// <summary>
/// A pull-only OpenTelemetry exporter that writes each collected batch in the Prometheus text
/// exposition format 0.0.4. It never runs on its own: <see cref="PrometheusScrape"/> calls
/// <see cref="Collect"/>, and the SDK calls <see cref="Export"/> on that same thread, so the text is
/// ready when Collect returns. Not thread-safe by itself; the scrape serializes Collect and reading
/// <see cref="Written"/>. Pull only: the SDK then exports only inside that Collect (never from a
/// periodic reader or at shutdown), so no export can overwrite the text while a scrape sends it.
/// </summary>
[ExportModes(ExportModes.Pull)]
internal sealed class PrometheusTextExporter(ILogger logger) : BaseExporter<Metric>, IPullMetricExporter
{
    private readonly PrometheusTextWriter _writer = new();

    // Instrument and attribute names repeat on every scrape: sanitise each once.
    private readonly Dictionary<string, string> _metricNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _labelNames = new(StringComparer.Ordinal);

    // Reused per scrape: the batch's metrics with their family, and the families already written.
    private readonly List<(Metric Metric, string Family, FamilyKind Kind)> _entries = [];
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    // Metrics we cannot expose are reported once each, not on every scrape.
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    private enum FamilyKind
    {
        Counter,
        Gauge,
        Histogram,
    }

    /// <summary>
    /// Set by the reader this exporter is given to: its Collect, run in the SDK's pull scope (a pull-only
    /// reader refuses a plain Collect). Null once the reader is disposed.
    /// </summary>
    public Func<int, bool>? Collect { get; set; }

    /// <summary>The text of the last export; valid until the next <see cref="Reset"/> or export.</summary>
    public ReadOnlyMemory<byte> Written => _writer.Written;

    public void Reset() => _writer.Reset();

    public override ExportResult Export(in Batch<Metric> batch)
    {
        _writer.Reset();
        _entries.Clear();
        _written.Clear();

        foreach (var metric in batch)
        {
            if (Classify(metric) is { } entry)
            {
                _entries.Add(entry);
            }
        }

        // The text format wants a family's samples together under one HELP/TYPE, but two instruments
        // can land in one family (the same name in two meters, or names equal once sanitised).
        for (var i = 0; i < _entries.Count; i++)
        {
            var (first, family, kind) = _entries[i];
            if (!_written.Add(family))
            {
                continue;
            }

            WriteHeader(family, kind, first.Description);
            for (var j = i; j < _entries.Count; j++)
            {
                var (metric, otherFamily, otherKind) = _entries[j];
                if (!string.Equals(otherFamily, family, StringComparison.Ordinal))
                {
                    continue;
                }

                if (otherKind != kind)
                {
                    ReportOnce(metric, () => PrometheusLog.FamilyKindConflict(logger, metric.Name, metric.MeterName, family, kind.ToString()));
                    continue;
                }

                WriteSamples(metric, family, kind);
            }
        }

        return ExportResult.Success;
    }

    private (Metric, string, FamilyKind)? Classify(Metric metric)
    {
        if (!HasPoints(metric))
        {
            return null;
        }

        var name = Cached(_metricNames, metric.Name, PrometheusNames.MetricName);
        switch (metric.MetricType)
        {
            case MetricType.LongSum or MetricType.DoubleSum:
                return (metric, PrometheusNames.CounterName(name), FamilyKind.Counter);
            case MetricType.LongSumNonMonotonic or MetricType.DoubleSumNonMonotonic or MetricType.LongGauge or MetricType.DoubleGauge:
                return (metric, name, FamilyKind.Gauge);
            case MetricType.Histogram:
                return (metric, name, FamilyKind.Histogram);
            default:
                // Exponential histograms (only if a view asks for them) have no 0.0.4 text form.
                ReportOnce(metric, () => PrometheusLog.UnsupportedMetricType(logger, metric.Name, metric.MeterName, metric.MetricType.ToString()));
                return null;
        }
    }

    // An instrument nothing was recorded on (or an observable callback that returned nothing) has no
    // series: skip it rather than write a HELP/TYPE with no samples under it.
    private static bool HasPoints(Metric metric)
    {
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            _ = point;
            return true;
        }

        return false;
    }

    private void WriteHeader(string family, FamilyKind kind, string? description)
    {
        if (!string.IsNullOrEmpty(description))
        {
            _writer.Append("# HELP ");
            _writer.Append(family);
            _writer.Append(' ');
            _writer.AppendHelp(description);
            _writer.Append('\n');
        }

        _writer.Append("# TYPE ");
        _writer.Append(family);
        _writer.Append(kind switch
        {
            FamilyKind.Counter => " counter\n",
            FamilyKind.Gauge => " gauge\n",
            _ => " histogram\n",
        });
    }

    private void WriteSamples(Metric metric, string family, FamilyKind kind)
    {
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            if (kind == FamilyKind.Histogram)
            {
                WriteHistogram(family, in point);
                continue;
            }

            _writer.Append(family);
            WriteLabels(point.Tags, le: null);
            _writer.Append(' ');
            switch (metric.MetricType)
            {
                case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                    _writer.AppendLong(point.GetSumLong());
                    break;
                case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                    _writer.AppendDouble(point.GetSumDouble());
                    break;
                case MetricType.LongGauge:
                    _writer.AppendLong(point.GetGaugeLastValueLong());
                    break;
                default:
                    _writer.AppendDouble(point.GetGaugeLastValueDouble());
                    break;
            }

            _writer.Append('\n');
        }
    }

    private void WriteHistogram(string family, in MetricPoint point)
    {
        // OpenTelemetry counts per bucket; Prometheus buckets are cumulative, the last one +Inf.
        long cumulative = 0;
        foreach (var bucket in point.GetHistogramBuckets())
        {
            cumulative += bucket.BucketCount;
            _writer.Append(family);
            _writer.Append("_bucket");
            WriteLabels(point.Tags, bucket.ExplicitBound);
            _writer.Append(' ');
            _writer.AppendLong(cumulative);
            _writer.Append('\n');
        }

        _writer.Append(family);
        _writer.Append("_sum");
        WriteLabels(point.Tags, le: null);
        _writer.Append(' ');
        _writer.AppendDouble(point.GetHistogramSum());
        _writer.Append('\n');

        _writer.Append(family);
        _writer.Append("_count");
        WriteLabels(point.Tags, le: null);
        _writer.Append(' ');
        _writer.AppendLong(point.GetHistogramCount());
        _writer.Append('\n');
    }

    private void WriteLabels(ReadOnlyTagCollection tags, double? le)
    {
        if (tags.Count == 0 && le is null)
        {
            return;
        }

        _writer.Append('{');
        var separator = false;
        foreach (var tag in tags)
        {
            if (separator)
            {
                _writer.Append(',');
            }

            separator = true;
            _writer.Append(Cached(_labelNames, tag.Key, PrometheusNames.LabelName));
            _writer.Append("=\"");
            WriteLabelValue(tag.Value);
            _writer.Append('"');
        }

        if (le is { } bound)
        {
            if (separator)
            {
                _writer.Append(',');
            }

            _writer.Append("le=\"");
            _writer.AppendDouble(bound);
            _writer.Append('"');
        }

        _writer.Append('}');
    }

    private void WriteLabelValue(object? value)
    {
        switch (value)
        {
            case null:
                break;
            case string text:
                _writer.AppendLabelValue(text);
                break;
            case bool flag:
                _writer.Append(flag ? "true" : "false");
                break;
            case double number:
                _writer.AppendDouble(number);
                break;
            case IFormattable formattable:
                _writer.AppendLabelValue(formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case IEnumerable items:
                // Array-valued attributes: their elements, comma-separated, rather than the type's name.
                var separator = false;
                foreach (var item in items)
                {
                    if (separator)
                    {
                        _writer.Append(',');
                    }

                    separator = true;
                    WriteLabelValue(item);
                }

                break;
            default:
                _writer.AppendLabelValue(value.ToString() ?? string.Empty);
                break;
        }
    }

    private void ReportOnce(Metric metric, Action report)
    {
        if (_reported.Add(metric.MeterName + "\n" + metric.Name))
        {
            report();
        }
    }

    private static string Cached(Dictionary<string, string> cache, string name, Func<string, string> sanitize)
    {
        if (!cache.TryGetValue(name, out var sanitized))
        {
            sanitized = sanitize(name);
            cache[name] = sanitized;
        }

        return sanitized;
    }
}
