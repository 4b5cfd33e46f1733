using System.Text.RegularExpressions;
using Weft.Tests.Shared;

namespace Weft.Workloads.Tests;

/// <summary>docs/config.md is the reference: its examples must be what the tests parse, and must parse.</summary>
public sealed partial class DocsExampleTests
{
    private static readonly string[] Blocks = [.. YamlBlock().Matches(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "config.md")))
        .Select(m => m.Groups[1].Value.TrimEnd('\n'))];

    [Fact]
    public void The_first_example_is_the_one_tests_use()
    {
        Assert.Equal(ExampleConfig.Text, Blocks[0]);
    }

    [Fact]
    public void The_policies_example_is_the_one_tests_use()
    {
        Assert.Contains(PolicyExampleConfig.Text, Blocks);
    }

    [Fact]
    public void The_telemetry_example_is_the_one_tests_use()
    {
        Assert.Contains(TelemetryExampleConfig.Text, Blocks);
    }

    [Fact]
    public void Every_complete_example_parses()
    {
        var complete = Blocks.Where(b => b.StartsWith("node:", StringComparison.Ordinal)).ToArray();

        Assert.True(complete.Length >= 3);
        Assert.All(complete, b => ExampleConfig.Parse(b));
    }

    [GeneratedRegex("```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
