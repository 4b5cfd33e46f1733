namespace Weft.Workloads.Tests;

internal static class ConfigAssert
{
    /// <summary>Parses text that must fail and checks where the error points.</summary>
    public static ConfigException Fails(string text, int line, int column, string field, ConfigMode? mode = null)
    {
        var e = Assert.Throws<ConfigException>(() => LocalConfigLoader.Parse(text, "config.yaml", mode));
        Assert.Equal("config.yaml", e.File);
        Assert.Equal((line, column, field), (e.Line, e.Column, e.Field));
        var prefix = field.Length > 0 ? $"config.yaml:{line}:{column}: {field}: " : $"config.yaml:{line}:{column}: ";
        Assert.StartsWith(prefix, e.Message, StringComparison.Ordinal);
        Assert.Equal(prefix + e.Detail, e.Message);
        return e;
    }
}
