using System.Diagnostics.CodeAnalysis;

namespace Weft.Identity;

/// <summary>
/// A workload identity, <c>spiffe://&lt;trustDomain&gt;/ns/&lt;namespace&gt;/sa/&lt;serviceAccount&gt;</c>.
/// Parsing is strict: one spelling per identity, so ordinal comparison of the string form is identity equality.
/// </summary>
public readonly struct SpiffeId : IEquatable<SpiffeId>
{
    private const string Scheme = "spiffe://";
    private readonly string? _value;

    private SpiffeId(string value, string trustDomain, string ns, string serviceAccount)
    {
        _value = value;
        TrustDomain = trustDomain;
        Namespace = ns;
        ServiceAccount = serviceAccount;
    }

    public string TrustDomain { get => field ?? ""; }

    public string Namespace { get => field ?? ""; }

    public string ServiceAccount { get => field ?? ""; }

    /// <summary>True for <c>default(SpiffeId)</c>, which names nobody.</summary>
    public bool IsEmpty => _value is null;

    public static SpiffeId Create(string trustDomain, string ns, string serviceAccount)
    {
        ArgumentNullException.ThrowIfNull(trustDomain);
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(serviceAccount);
        var text = $"{Scheme}{trustDomain}/ns/{ns}/sa/{serviceAccount}";
        return TryParse(text, out var id, out var error) ? id : throw new ArgumentException(error);
    }

    public static SpiffeId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var id, out var error) ? id : throw new FormatException(error);
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out SpiffeId id) => TryParse(text, out id, out _);

    /// <summary>Like <see cref="TryParse(string?, out SpiffeId)"/>, with the reason when it fails.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out SpiffeId id, out string error)
    {
        id = default;
        error = Validate(text, out var trustDomain, out var ns, out var sa) ?? "";
        if (error.Length > 0)
        {
            return false;
        }

        id = new SpiffeId(text!, trustDomain, ns, sa);
        return true;
    }

    private static string? Validate(string? text, out string trustDomain, out string ns, out string sa)
    {
        trustDomain = ns = sa = "";
        if (string.IsNullOrEmpty(text))
        {
            return "SPIFFE ID is empty";
        }

        // The X.509-SVID spec caps the URI at 2048 bytes.
        if (text.Length > 2048)
        {
            return "SPIFFE ID is longer than 2048 characters";
        }

        if (!text.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return $"'{text}' is not a SPIFFE ID: it must start with '{Scheme}'";
        }

        var parts = text[Scheme.Length..].Split('/');
        if (parts.Length != 5 || parts[1] != "ns" || parts[3] != "sa")
        {
            return $"'{text}' is not of the form spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>";
        }

        if (!IsTrustDomain(parts[0]))
        {
            return $"'{text}': trust domain '{parts[0]}' must be 1-255 characters of a-z, 0-9, '.', '-', '_'";
        }

        if (!IsDnsLabel(parts[2]))
        {
            return $"'{text}': namespace '{parts[2]}' is not a Kubernetes namespace name (DNS label)";
        }

        if (!IsDnsSubdomain(parts[4]))
        {
            return $"'{text}': service account '{parts[4]}' is not a Kubernetes service account name (DNS subdomain)";
        }

        (trustDomain, ns, sa) = (parts[0], parts[2], parts[4]);
        return null;
    }

    // SPIFFE trust domain names: lowercase letters, digits, '.', '-', '_' only (no port, no userinfo).
    private static bool IsTrustDomain(string s) =>
        s.Length is > 0 and <= 255 && s.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_');

    private static bool IsDnsLabel(string s) =>
        s.Length is > 0 and <= 63 && IsLowerAlnum(s[0]) && IsLowerAlnum(s[^1]) && s.All(c => IsLowerAlnum(c) || c == '-');

    private static bool IsLowerAlnum(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);

    private static bool IsDnsSubdomain(string s) =>
        s.Length is > 0 and <= 253 && s.Split('.').All(IsDnsLabel);

    public bool Equals(SpiffeId other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is SpiffeId other && Equals(other);

    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    public override string ToString() => _value ?? "";

    public static bool operator ==(SpiffeId left, SpiffeId right) => left.Equals(right);

    public static bool operator !=(SpiffeId left, SpiffeId right) => !left.Equals(right);
}
