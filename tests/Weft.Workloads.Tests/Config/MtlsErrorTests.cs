namespace Weft.Workloads.Tests;

/// <summary>Bad mtls entries: each error names the line, column and field path of the culprit.</summary>
public sealed class MtlsErrorTests
{
    [Theory]
    [InlineData("DISABLE", "unknown mode \"DISABLE\"; use STRICT or PERMISSIVE")]
    [InlineData("UNSET", "unknown mode \"UNSET\"; use STRICT or PERMISSIVE")]
    [InlineData("strict", "unknown mode \"strict\"; did you mean \"STRICT\"?")]
    [InlineData("PERMISIVE", "unknown mode \"PERMISIVE\"; did you mean \"PERMISSIVE\"?")]
    public void Unknown_mode(string mode, string detail)
    {
        var e = ConfigAssert.Fails($"node: node-a\nmtls:\n  - namespace: shop\n    mode: {mode}\n", line: 4, column: 11, field: "mtls[0].mode");

        Assert.Equal(detail, e.Detail);
    }

    [Fact]
    public void Missing_mode()
    {
        var e = ConfigAssert.Fails("node: node-a\nmtls:\n  - namespace: shop\n", line: 3, column: 5, field: "mtls[0].mode");

        Assert.Equal("missing required field \"mode\"", e.Detail);
    }

    [Fact]
    public void Selector_without_namespace()
    {
        var e = ConfigAssert.Fails("node: node-a\nmtls:\n  - selector: { app: web }\n    mode: STRICT\n", line: 3, column: 15, field: "mtls[0].selector");

        Assert.Equal("an entry without a namespace is the mesh-wide default and cannot have a selector; add the workloads' namespace", e.Detail);
    }

    [Fact]
    public void Selector_in_the_root_namespace()
    {
        var e = ConfigAssert.Fails("node: node-a\nmtls:\n  - namespace: istio-system\n    selector: { app: web }\n    mode: STRICT\n",
            line: 4, column: 15, field: "mtls[0].selector");

        Assert.Equal("an entry in the root namespace \"istio-system\" is the mesh-wide default and cannot have a selector; use the workloads' namespace", e.Detail);
    }

    [Theory]
    [InlineData("  - mode: STRICT\n", "  - namespace: istio-system\n    mode: PERMISSIVE\n", "the mesh-wide mode is already set (first at line 3)")]
    [InlineData("  - namespace: shop\n    mode: STRICT\n", "  - namespace: shop\n    mode: STRICT\n", "the mode of namespace shop is already set (first at line 3)")]
    [InlineData("  - namespace: shop\n    selector: { a: b, c: d }\n    mode: STRICT\n", "  - namespace: shop\n    selector: { c: d, a: b }\n    mode: STRICT\n",
        "namespace shop already has an entry with this selector (first at line 3)")]
    public void Same_scope_twice(string first, string second, string detail)
    {
        var text = "node: node-a\nmtls:\n" + first + second;
        var line = 3 + first.Count(c => c == '\n');

        var e = ConfigAssert.Fails(text, line, column: 5, field: "mtls[1]");

        Assert.Equal(detail, e.Detail);
    }

    [Fact]
    public void Different_scopes_are_fine()
    {
        var parsed = ExampleConfig.Parse("""
            node: node-a
            mtls:
              - mode: STRICT
              - namespace: shop
                mode: PERMISSIVE
              - namespace: shop
                selector: { app: web }
                mode: STRICT
              - namespace: shop
                selector: { app: api }
                mode: STRICT
              - namespace: data
                mode: STRICT
            """);

        Assert.Equal(5, parsed.Mtls.Count);
    }

    [Fact]
    public void Unknown_field()
    {
        var e = ConfigAssert.Fails("node: node-a\nmtls:\n  - namespace: shop\n    modes: STRICT\n", line: 4, column: 5, field: "mtls[0].modes");

        Assert.Equal("unknown field \"modes\"; did you mean \"mode\"?", e.Detail);
    }
}
