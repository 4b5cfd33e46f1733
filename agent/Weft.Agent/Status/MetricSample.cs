using System.Globalization;

namespace Weft.Agent.Status;

/// <summary>One sample of the Prometheus text format: name, labels, value.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string key) => Labels.TryGetValue(key, out var v) ? v : "";

    /// <summary>Reads the samples of an exposition (comments skipped; label values unescaped).</summary>
    public static List<MetricSample> Parse(string exposition)
    {
        ArgumentNullException.ThrowIfNull(exposition);
        var samples = new List<MetricSample>();
        foreach (var raw in exposition.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            int valueStart;
            string name;
            if (brace >= 0)
            {
                name = line[..brace];
                var i = brace + 1;
                while (i < line.Length && line[i] != '}')
                {
                    var eq = line.IndexOf('=', i);
                    var key = line[i..eq].Trim(',', ' ');
                    var (value, next) = Quoted(line, eq + 1);
                    labels[key] = value;
                    i = next;
                    while (i < line.Length && line[i] == ',')
                    {
                        i++;
                    }
                }

                valueStart = i + 1;
            }
            else
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                name = line[..space];
                valueStart = space;
            }

            var valueText = line[valueStart..].Trim().Split(' ')[0];
            if (double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                samples.Add(new MetricSample(name, labels, number));
            }
        }

        return samples;
    }

    private static (string Value, int Next) Quoted(string line, int start)
    {
        var sb = new System.Text.StringBuilder();
        var i = start + 1;
        while (i < line.Length && line[i] != '"')
        {
            if (line[i] == '\\' && i + 1 < line.Length)
            {
                i++;
                sb.Append(line[i] == 'n' ? '\n' : line[i]);
            }
            else
            {
                sb.Append(line[i]);
            }

            i++;
        }

        return (sb.ToString(), i + 1);
    }
}
