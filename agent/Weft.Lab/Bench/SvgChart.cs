using System.Globalization;
using System.Text;

namespace Weft.Lab.Bench;

/// <summary>latest.svg: two panels of grouped bars: throughput (1 and 8 streams) and latency (p50, p99) per case.</summary>
internal static class SvgChart
{
    private const int PanelWidth = 460;
    private const int PanelHeight = 300;
    private const int Top = 50;
    private const int Left = 60;
    private const int PlotHeight = 190;

    public static void Write(string path, BenchReport r)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{PanelWidth * 2}\" height=\"{PanelHeight}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        Panel(svg, r, 0, "Throughput (Gbit/s, higher is better)", [(Figures.Throughput1.Key, "1 stream", "#4e79a7"), (Figures.Throughput8.Key, "8 streams", "#f28e2b")]);
        Panel(svg, r, PanelWidth, "Round trip, 64 B (µs, lower is better)", [(Figures.P50.Key, "p50", "#59a14f"), (Figures.P99.Key, "p99", "#e15759")]);
        svg.Append("</svg>\n");
        File.WriteAllText(path, svg.ToString());
    }

    private static void Panel(StringBuilder svg, BenchReport r, int x0, string title, (string Key, string Label, string Color)[] series)
    {
        var values = r.Cases.SelectMany(c => series.Select(s => r.Samples.Median(c, s.Key) ?? 0)).ToList();
        var max = Math.Max(values.Max(), 1e-9) * 1.15;
        var plotWidth = PanelWidth - Left - 20;
        var groupWidth = plotWidth / (double)r.Cases.Count;
        var barWidth = groupWidth * 0.8 / series.Length;
        var baseline = Top + PlotHeight;
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + (PanelWidth / 2)}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x0 + Left}\" y1=\"{baseline}\" x2=\"{x0 + Left + plotWidth}\" y2=\"{baseline}\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x0 + Left}\" y1=\"{Top}\" x2=\"{x0 + Left}\" y2=\"{baseline}\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + Left - 5}\" y=\"{Top + 4}\" text-anchor=\"end\">{MarkdownReport.F(max)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + Left - 5}\" y=\"{baseline + 4}\" text-anchor=\"end\">0</text>\n");
        for (var i = 0; i < r.Cases.Count; i++)
        {
            var gx = x0 + Left + (i * groupWidth) + (groupWidth * 0.1);
            for (var j = 0; j < series.Length; j++)
            {
                var v = r.Samples.Median(r.Cases[i], series[j].Key) ?? 0;
                var h = v / max * PlotHeight;
                var bx = gx + (j * barWidth);
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{bx:0.0}\" y=\"{baseline - h:0.0}\" width=\"{barWidth - 2:0.0}\" height=\"{h:0.0}\" fill=\"{series[j].Color}\"><title>{Escape(r.Titles[r.Cases[i]])} {series[j].Label}: {MarkdownReport.F(v)}</title></rect>\n");
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{bx + (barWidth / 2):0.0}\" y=\"{baseline - h - 3:0.0}\" text-anchor=\"middle\" font-size=\"10\">{MarkdownReport.F(v)}</text>\n");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{gx + (groupWidth * 0.4):0.0}\" y=\"{baseline + 16}\" text-anchor=\"middle\" font-size=\"11\">{Escape(r.Titles[r.Cases[i]])}</text>\n");
        }

        for (var j = 0; j < series.Length; j++)
        {
            var lx = x0 + Left + (j * 110);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"{PanelHeight - 30}\" width=\"12\" height=\"12\" fill=\"{series[j].Color}\"/><text x=\"{lx + 16}\" y=\"{PanelHeight - 20}\">{Escape(series[j].Label)}</text>\n");
        }
    }

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
