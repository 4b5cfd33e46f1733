namespace Weft.Lab.Bench;

/// <summary>Every sample of every figure of every case, in the order taken; medians on demand.</summary>
internal sealed class Samples
{
    private readonly Dictionary<(string Case, string Figure), List<double>> values = [];

    public void Add(string benchCase, string figure, double value)
    {
        if (!values.TryGetValue((benchCase, figure), out var list))
        {
            values[(benchCase, figure)] = list = [];
        }

        list.Add(value);
    }

    public IReadOnlyList<double> Of(string benchCase, string figure) =>
        values.TryGetValue((benchCase, figure), out var list) ? list : [];

    /// <summary>The median of the samples (mean of the middle two for an even count), or null without samples.</summary>
    public double? Median(string benchCase, string figure)
    {
        var sorted = Of(benchCase, figure).Order().ToList();
        return sorted.Count == 0 ? null
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
            : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public IEnumerable<string> Figures(string benchCase) =>
        values.Keys.Where(k => k.Case == benchCase).Select(k => k.Figure);
}
