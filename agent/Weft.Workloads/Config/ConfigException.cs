namespace Weft.Workloads;

/// <summary>
/// The config file is unusable. <see cref="Exception.Message"/> reads like a compiler error,
/// <c>file:line:column: field: what is wrong</c>, so an operator can go straight to the spot.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException()
    {
    }

    public ConfigException(string message)
        : base(message)
    {
        Detail = message;
    }

    public ConfigException(string message, Exception inner)
        : base(message, inner)
    {
        Detail = message;
    }

    /// <param name="file">The path or source name the config came from.</param>
    /// <param name="line">1-based line, or 0 when the problem has no position (the file cannot be read).</param>
    /// <param name="column">1-based column, or 0 with <paramref name="line"/>.</param>
    /// <param name="field">Path of the offending field, e.g. <c>workloads[1].addresses[0]</c>; empty for the whole file.</param>
    /// <param name="detail">What is wrong, without the position.</param>
    public ConfigException(string file, int line, int column, string field, string detail, Exception? inner = null)
        : base(Format(file, line, column, field, detail), inner)
    {
        File = file;
        Line = line;
        Column = column;
        Field = field;
        Detail = detail;
    }

    public string File { get; } = "";

    public int Line { get; }

    public int Column { get; }

    public string Field { get; } = "";

    /// <summary>The message without file, position and field.</summary>
    public string Detail { get; } = "";

    private static string Format(string file, int line, int column, string field, string detail)
    {
        var where = line > 0 ? $"{file}:{line}:{column}" : file;
        return field.Length > 0 ? $"{where}: {field}: {detail}" : $"{where}: {detail}";
    }
}
