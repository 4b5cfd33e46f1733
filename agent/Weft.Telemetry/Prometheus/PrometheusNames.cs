namespace Weft.Telemetry.Prometheus;

/// <summary>
/// Turns OpenTelemetry instrument and attribute names into valid Prometheus names: metric names
/// [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* (Prometheus keeps colons for
/// recording rules and forbids them in labels). Every other character, dots included, becomes '_',
/// as OpenTelemetry's own Prometheus exporter does; a leading digit gets a '_' in front.
/// </summary>
internal static class PrometheusNames
{
    public const string TotalSuffix = "_total";

    public static string MetricName(string name) => Sanitize(name, allowColon: true);

    public static string LabelName(string name) => Sanitize(name, allowColon: false);

    /// <summary>A monotonic sum's family name: the name with "_total" unless it already ends so (Istio's names do).</summary>
    public static string CounterName(string sanitized) =>
        sanitized.EndsWith(TotalSuffix, StringComparison.Ordinal) ? sanitized : sanitized + TotalSuffix;

    private static string Sanitize(string name, bool allowColon)
    {
        if (name.Length == 0)
        {
            return "_";
        }

        var prefix = char.IsAsciiDigit(name[0]) ? 1 : 0;
        if (prefix == 0 && IsValid(name, allowColon))
        {
            return name;
        }

        return string.Create(name.Length + prefix, (name, allowColon, prefix), static (span, state) =>
        {
            if (state.prefix == 1)
            {
                span[0] = '_';
            }

            for (var i = 0; i < state.name.Length; i++)
            {
                var c = state.name[i];
                span[i + state.prefix] = IsNameChar(c, state.allowColon) ? c : '_';
            }
        });
    }

    private static bool IsValid(string name, bool allowColon)
    {
        foreach (var c in name)
        {
            if (!IsNameChar(c, allowColon))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsNameChar(char c, bool allowColon) =>
        char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
}
