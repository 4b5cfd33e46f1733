namespace Weft.Policy;

/// <summary>The four forms of an Istio principal or namespace pattern.</summary>
public enum StringMatchKind
{
    /// <summary><c>value</c>: equal, case-sensitive.</summary>
    Exact,

    /// <summary><c>value*</c>: starts with the value.</summary>
    Prefix,

    /// <summary><c>*value</c>: ends with the value.</summary>
    Suffix,

    /// <summary><c>*</c>: any non-empty value, i.e. "has an identity at all".</summary>
    Presence,
}
