using System.Diagnostics.CodeAnalysis;
using Weft.Policy;

namespace Weft.Workloads;

/// <summary>
/// Checks principal, namespace and service account values of policies. Stricter than Istio, which
/// takes any string: a value that can never match a mesh identity is a typo, so it fails here.
/// </summary>
internal static class PolicySyntax
{
    private const string Spiffe = "spiffe://";
    private const string PrincipalForm = "expected <trustDomain>/ns/<namespace>/sa/<serviceAccount>, e.g. cluster.local/ns/shop/sa/client";

    /// <summary>Why <paramref name="text"/> is not a principal or principal pattern, or null when it is one.</summary>
    public static string? PrincipalProblem(string text)
    {
        if (text.StartsWith(Spiffe, StringComparison.OrdinalIgnoreCase))
        {
            return $"\"{text}\" starts with spiffe://; write principals without it, e.g. \"{text[Spiffe.Length..]}\"";
        }

        if (WildcardProblem(text) is { } wildcard)
        {
            return wildcard;
        }

        if (text.Contains('*', StringComparison.Ordinal))
        {
            return text.Trim('*').All(c => IsLowerAlphanumeric(c) || c is '.' or '-' or '_' or '/')
                ? null
                : $"\"{text}\" is not a principal pattern: use lowercase letters, digits, '.', '-', '_' and '/' besides the '*'";
        }

        var parts = text.Split('/');
        var valid = parts.Length == 5 && ValueSyntax.IsTrustDomain(parts[0]) && parts[1] == "ns" && ValueSyntax.IsDnsLabel(parts[2])
            && parts[3] == "sa" && ValueSyntax.IsDnsSubdomain(parts[4]);
        return valid ? null : $"\"{text}\" is not a principal: {PrincipalForm}";
    }

    /// <summary>Why <paramref name="text"/> is not a namespace or namespace pattern, or null when it is one.</summary>
    public static string? NamespaceProblem(string text, string nameRule)
    {
        if (WildcardProblem(text) is { } wildcard)
        {
            return wildcard;
        }

        if (text.Contains('*', StringComparison.Ordinal))
        {
            return text.Trim('*').All(c => IsLowerAlphanumeric(c) || c == '-')
                ? null
                : $"\"{text}\" is not a namespace pattern: use lowercase letters, digits and '-' besides the '*'";
        }

        return ValueSyntax.IsDnsLabel(text) ? null : $"\"{text}\" {nameRule}";
    }

    /// <summary>Reads <c>namespace/name</c>, or a bare <c>name</c> in the policy's own namespace (as istiod does).</summary>
    public static bool TryParseServiceAccount(string text, string policyNamespace, out ServiceAccountRef account, [NotNullWhen(false)] out string? error)
    {
        account = default;
        if (text.Contains('*', StringComparison.Ordinal))
        {
            error = $"\"{text}\": serviceAccounts take no wildcards; use principals for patterns, e.g. cluster.local/ns/shop/sa/*";
            return false;
        }

        var parts = text.Split('/');
        var (ns, name) = parts.Length == 1 ? (policyNamespace, parts[0]) : (parts[0], parts[^1]);
        if (parts.Length > 2 || !ValueSyntax.IsDnsLabel(ns) || !ValueSyntax.IsDnsSubdomain(name))
        {
            error = $"\"{text}\" is not a service account: expected <namespace>/<serviceAccount>, e.g. shop/client";
            return false;
        }

        account = new ServiceAccountRef(ns, name);
        error = null;
        return true;
    }

    /// <summary>Istio reads <c>*</c> alone, at the start or at the end; anywhere else it would be a literal that never matches.</summary>
    private static string? WildcardProblem(string text)
    {
        if (text.Length == 0)
        {
            return "must not be empty";
        }

        var stars = text.Count(c => c == '*');
        var placed = text == "*" || (stars == 1 && (text[0] == '*' || text[^1] == '*'));
        return stars == 0 || placed ? null : $"\"{text}\" has a '*' that is not alone, at the start or at the end";
    }

    private static bool IsLowerAlphanumeric(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
