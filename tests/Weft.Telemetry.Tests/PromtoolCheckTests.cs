using Weft.Telemetry.Tests.Support;

namespace Weft.Telemetry.Tests;

/// <summary>Prometheus' own checker judges the exposition, independently of our expectations.</summary>
public sealed class PromtoolCheckTests
{
    [ToolFact(HostTool.Promtool)]
    public async Task Promtool_finds_no_error_or_lint_problem_in_a_scrape_of_every_kind()
    {
        using var h = new MetricsHarness(EveryKindOfMetric.Configure);
        EveryKindOfMetric.Record(h.Meter);
        var text = await h.ScrapeAsync();
        foreach (var type in new[] { "counter", "gauge", "histogram" })
        {
            Assert.Contains($" {type}\n", text, StringComparison.Ordinal);
        }

        var (code, stdout, stderr) = await HostTool.RunAsync(HostTool.Promtool, text, "check", "metrics");
        Assert.True(code == 0 && stdout.Length == 0 && stderr.Length == 0, $"promtool exited {code}: {stdout}{stderr}\n--- scrape ---\n{text}");
    }

    [ToolFact(HostTool.Promtool)]
    public async Task Promtool_does_catch_a_broken_exposition()
    {
        // Shows the check above can fail: a duplicate HELP/TYPE family is an error to promtool.
        const string Broken = "# TYPE weft_x_total counter\nweft_x_total 1\n# TYPE weft_x_total counter\nweft_x_total 2\n";
        var (code, _, _) = await HostTool.RunAsync(HostTool.Promtool, Broken, "check", "metrics");
        Assert.NotEqual(0, code);
    }
}
