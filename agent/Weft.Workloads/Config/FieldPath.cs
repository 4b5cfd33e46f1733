namespace Weft.Workloads;

/// <summary>Builds the field paths errors name, e.g. <c>workloads[1].addresses[0]</c>.</summary>
internal static class FieldPath
{
    public static string Child(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

    public static string Index(string parent, int index) => $"{parent}[{index}]";

    /// <summary>An entry of a free-form mapping (labels, ports), whose keys may contain dots.</summary>
    public static string Entry(string parent, string key) => $"{parent}[{key}]";
}
