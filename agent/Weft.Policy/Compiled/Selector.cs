namespace Weft.Policy;

/// <summary>Label selector as an array, so the check on the fallback path allocates no enumerator.</summary>
internal static class Selector
{
    public static KeyValuePair<string, string>[] From(IReadOnlyDictionary<string, string> labels) =>
        [.. labels.OrderBy(l => l.Key, StringComparer.Ordinal)];

    /// <summary>Every selector label present with an equal value; an empty selector selects everything.</summary>
    public static bool Selects(KeyValuePair<string, string>[] selector, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in selector)
        {
            if (!labels.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
