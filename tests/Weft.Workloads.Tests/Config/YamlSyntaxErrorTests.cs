namespace Weft.Workloads.Tests;

public sealed class YamlSyntaxErrorTests
{
    [Fact]
    public void Duplicate_key_points_at_the_second_one()
    {
        var e = ConfigAssert.Fails("""
            node: node-a
            workloads:
              - uid: a
                uid: b
            """, line: 4, column: 5, field: "");

        Assert.Contains("invalid YAML", e.Detail, StringComparison.Ordinal);
        Assert.Contains("Duplicate key", e.Detail, StringComparison.Ordinal);
        Assert.IsAssignableFrom<YamlDotNet.Core.YamlException>(e.InnerException);
    }

    [Fact]
    public void Bad_indentation_uses_the_parser_position()
    {
        var e = ConfigAssert.Fails("""
            node: node-a
            workloads:
              - uid: a
               name: b
            """, line: 4, column: 4, field: "");

        Assert.StartsWith("invalid YAML: ", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_that_looks_like_a_mapping()
    {
        ConfigAssert.Fails("""
            node: node-a
            trustDomain: a: b
            """, line: 2, column: 15, field: "");
    }

    [Fact]
    public void Unclosed_flow_list()
    {
        var e = ConfigAssert.Fails("""
            node: node-a
            capture:
              excludePorts: [22, 80
            workloads: []
            """, line: 4, column: 1, field: "");

        Assert.Equal("invalid YAML: unclosed [ ] or { }", e.Detail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n")]
    [InlineData("# nothing here yet\n")]
    [InlineData("---\n")]
    [InlineData("~\n")]
    public void Empty_file(string text)
    {
        var e = ConfigAssert.Fails(text, line: 1, column: 1, field: "");

        Assert.Equal("config.yaml:1:1: the file is empty", e.Message);
    }

    [Fact]
    public void Several_documents()
    {
        var e = ConfigAssert.Fails("""
            node: node-a
            ---
            node: node-b
            """, line: 3, column: 1, field: "");

        Assert.Equal("the file holds 2 YAML documents; expected one", e.Detail);
    }

    [Fact]
    public void Unreadable_file_names_the_path_without_a_position()
    {
        var path = Path.Combine(Path.GetTempPath(), "weft-missing-" + Guid.NewGuid().ToString("N"), "config.yaml");

        var e = Assert.Throws<ConfigException>(() => LocalConfigLoader.Load(path));

        Assert.Equal(path, e.File);
        Assert.Equal((0, 0, ""), (e.Line, e.Column, e.Field));
        Assert.StartsWith($"{path}: cannot read the file: ", e.Message, StringComparison.Ordinal);
    }
}
