namespace Weft.Tunnel.Http2;

/// <summary>What a header list is: the rules differ for each (RFC 9113 §8.3).</summary>
internal enum HeaderKind
{
    Request,
    Response,
    Trailers,
}

/// <summary>
/// The well-formedness rules of RFC 9113 §8.2-8.3 that matter to a tunnel: field characters,
/// pseudo-header order and set, no connection-specific fields, and the CONNECT form
/// (:method and :authority only). A list that breaks one is malformed: a stream error
/// PROTOCOL_ERROR when received, an ArgumentException when we are asked to send it.
/// </summary>
internal static class HeaderRules
{
    /// <summary>Why the list is malformed, or null when it is fine.</summary>
    public static string? Check(IReadOnlyList<HeaderField> fields, HeaderKind kind)
    {
        string? method = null, scheme = null, path = null, authority = null, status = null;
        var regularSeen = false;
        for (var i = 0; i < fields.Count; i++)
        {
            var (name, value) = fields[i];
            if (name.Length == 0)
            {
                return "empty field name";
            }

            if (BadValue(value))
            {
                return $"field '{name}' has a forbidden character or surrounding whitespace";
            }

            if (name[0] == ':')
            {
                if (regularSeen)
                {
                    return $"pseudo-header {name} after a regular field";
                }

                var duplicate = name switch
                {
                    ":method" when kind == HeaderKind.Request => Take(ref method, value),
                    ":scheme" when kind == HeaderKind.Request => Take(ref scheme, value),
                    ":path" when kind == HeaderKind.Request => Take(ref path, value),
                    ":authority" when kind == HeaderKind.Request => Take(ref authority, value),
                    ":status" when kind == HeaderKind.Response => Take(ref status, value),
                    _ => (bool?)null,
                };
                if (duplicate is null)
                {
                    return $"pseudo-header {name} not allowed in a {kind.ToString().ToLowerInvariant()}";
                }

                if (duplicate.Value)
                {
                    return $"duplicate {name}";
                }

                continue;
            }

            regularSeen = true;
            if (BadName(name))
            {
                return $"field name '{name}' is not lowercase token characters";
            }

            if (name is "connection" or "proxy-connection" or "keep-alive" or "transfer-encoding" or "upgrade"
                || (name == "te" && value != "trailers"))
            {
                return $"connection-specific field '{name}'";
            }
        }

        return kind switch
        {
            HeaderKind.Request when method is null => "request without :method",
            HeaderKind.Request when method == "CONNECT" && (authority is not { Length: > 0 } || scheme is not null || path is not null) =>
                "CONNECT must carry :authority and neither :scheme nor :path",
            HeaderKind.Request when method != "CONNECT" && (scheme is null || path is not { Length: > 0 }) => "request without :scheme or :path",
            HeaderKind.Response when status is not { Length: 3 } || !char.IsAsciiDigit(status[0]) || !char.IsAsciiDigit(status[1]) || !char.IsAsciiDigit(status[2]) =>
                "response without a three-digit :status",
            _ => null,
        };
    }

    private static bool? Take(ref string? slot, string value)
    {
        if (slot is not null)
        {
            return true;
        }

        slot = value;
        return false;
    }

    private static bool BadName(string name)
    {
        foreach (var c in name)
        {
            if (c <= ' ' || c is >= 'A' and <= 'Z' || c >= '\x7f' || c is '(' or ')' or ',' or '/' or ':' or ';' or '<' or '=' or '>' or '?' or '@' or '[' or '\\' or ']' or '{' or '}' or '"')
            {
                return true;
            }
        }

        return false;
    }

    private static bool BadValue(string value)
    {
        if (value.Length > 0 && (value[0] is ' ' or '\t' || value[^1] is ' ' or '\t'))
        {
            return true;
        }

        return value.AsSpan().IndexOfAny('\0', '\r', '\n') >= 0;
    }
}
