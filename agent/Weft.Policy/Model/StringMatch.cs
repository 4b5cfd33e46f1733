namespace Weft.Policy;

/// <summary>
/// One principal or namespace pattern, written as Istio writes it: <c>value</c>, <c>value*</c>,
/// <c>*value</c> or <c>*</c>. A <c>*</c> anywhere else is taken literally (config parsing rejects it).
/// </summary>
public readonly record struct StringMatch(StringMatchKind Kind, string Value)
{
    /// <summary>Reads Istio's pattern syntax.</summary>
    public static StringMatch Parse(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern == "*")
        {
            return new(StringMatchKind.Presence, "");
        }

        if (pattern.Length > 1 && pattern[0] == '*')
        {
            return new(StringMatchKind.Suffix, pattern[1..]);
        }

        return pattern.Length > 1 && pattern[^1] == '*'
            ? new(StringMatchKind.Prefix, pattern[..^1])
            : new(StringMatchKind.Exact, pattern);
    }

    /// <summary>Ordinal comparison; an empty value (no identity) matches nothing, not even <c>*</c>.</summary>
    public bool Matches(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            return false;
        }

        return Kind switch
        {
            StringMatchKind.Exact => string.Equals(value, Value, StringComparison.Ordinal),
            StringMatchKind.Prefix => value.StartsWith(Value, StringComparison.Ordinal),
            StringMatchKind.Suffix => value.EndsWith(Value, StringComparison.Ordinal),
            _ => true,
        };
    }

    /// <summary>The pattern as written.</summary>
    public override string ToString() => Kind switch
    {
        StringMatchKind.Prefix => Value + "*",
        StringMatchKind.Suffix => "*" + Value,
        StringMatchKind.Presence => "*",
        _ => Value ?? "",
    };
}
