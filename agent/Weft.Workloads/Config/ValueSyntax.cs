using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Weft.Workloads;

/// <summary>
/// Strict parsers for config values. Stricter than <see cref="IPAddress.TryParse(string, out IPAddress)"/>,
/// which reads "010.1.1.1" as octal 8.1.1.1 and "10.1" as 10.0.0.1: a config typo must fail, not
/// silently route somewhere else.
/// </summary>
internal static class ValueSyntax
{
    public static bool TryParseAddress(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            // Only hex digits, colons and an embedded dotted IPv4: rejects brackets, ports and zone ids.
            foreach (var c in text)
            {
                if (!char.IsAsciiHexDigit(c) && c is not ':' and not '.')
                {
                    return false;
                }
            }

            return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var part = parts[i];
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || !part.All(char.IsAsciiDigit))
            {
                return false;
            }

            var value = int.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
            if (value > 255)
            {
                return false;
            }

            bytes[i] = (byte)value;
        }

        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>Why the address cannot belong to a workload or service, or null when it can.</summary>
    public static string? Unusable(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return $"is an IPv4-mapped IPv6 address; write it as {address.MapToIPv4()}";
        }

        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return "is the unspecified address";
        }

        if (address.Equals(IPAddress.Broadcast))
        {
            return "is the broadcast address";
        }

        var multicast = address.AddressFamily == AddressFamily.InterNetwork
            ? address.GetAddressBytes()[0] is >= 224 and <= 239
            : address.IsIPv6Multicast;
        return multicast ? "is a multicast address" : null;
    }

    /// <summary>Parses address/prefix; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParseCidr(string text, out IPNetwork network, [NotNullWhen(false)] out string? error)
    {
        network = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            error = $"\"{text}\" is not a CIDR: expected address/prefix, e.g. {text}/{(text.Contains(':', StringComparison.Ordinal) ? 128 : 32)}";
            return false;
        }

        if (!TryParseAddress(text[..slash], out var address))
        {
            error = $"\"{text}\" is not a CIDR: \"{text[..slash]}\" is not an IP address";
            return false;
        }

        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefixText = text[(slash + 1)..];
        if (prefixText.Length is 0 or > 3 || !prefixText.All(char.IsAsciiDigit)
            || !int.TryParse(prefixText, System.Globalization.CultureInfo.InvariantCulture, out var prefix) || prefix > maxPrefix)
        {
            error = $"\"{text}\" is not a CIDR: the prefix length must be 0-{maxPrefix}";
            return false;
        }

        var masked = Mask(address, prefix);
        if (!masked.Equals(address))
        {
            error = $"\"{text}\" has bits set past the /{prefix} prefix; did you mean {masked}/{prefix}?";
            return false;
        }

        network = new IPNetwork(address, prefix);
        error = null;
        return true;
    }

    public static bool TryParsePort(string text, out int port)
    {
        port = 0;
        return text.Length is > 0 and <= 5 && text[0] != '0' && text.All(char.IsAsciiDigit)
            && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out port)
            && port is >= 1 and <= 65535;
    }

    /// <summary>A number from 0 to 1 inclusive, in decimal or exponent form (0.01, 1e-3).</summary>
    public static bool TryParseFraction(string text, out double fraction) =>
        double.TryParse(
            text,
            System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint | System.Globalization.NumberStyles.AllowExponent,
            System.Globalization.CultureInfo.InvariantCulture,
            out fraction)
        && fraction is >= 0 and <= 1;

    /// <summary>An absolute http or https URL, as gRPC and OTLP clients take.</summary>
    public static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http";

    /// <summary>RFC 1123 label, as Kubernetes requires of namespace names: [a-z0-9-], at most 63, alphanumeric at both ends.</summary>
    public static bool IsDnsLabel(string text) =>
        text.Length is > 0 and <= 63
        && IsLowerAlphanumeric(text[0])
        && IsLowerAlphanumeric(text[^1])
        && text.All(c => IsLowerAlphanumeric(c) || c == '-');

    /// <summary>RFC 1123 subdomain, as Kubernetes requires of pod, node and service account names.</summary>
    public static bool IsDnsSubdomain(string text) =>
        text.Length <= 253 && text.Split('.').All(IsDnsLabel);

    /// <summary>SPIFFE trust domain characters.</summary>
    public static bool IsTrustDomain(string text) =>
        text.Length is > 0 and <= 255
        && text.All(c => IsLowerAlphanumeric(c) || c is '.' or '-' or '_');

    public static bool IsAbsolutePath(string text) => text.StartsWith('/') && !text.Contains('\0', StringComparison.Ordinal);

    private static bool IsLowerAlphanumeric(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }
}
