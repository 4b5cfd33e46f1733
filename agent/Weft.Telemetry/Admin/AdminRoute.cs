using System.Globalization;

namespace Weft.Telemetry.Admin;

/// <summary>
/// One GET route of <see cref="AdminHttpServer"/>: an HttpListener prefix naming host and port only
/// (e.g. "http://127.0.0.1:15020/"), an exact path ("/metrics"), and the handler. Linux's managed
/// HttpListener binds the address the host resolves to ("+" and "*": every IPv4 address) and serves
/// only requests whose Host header names that same host; it cannot parse IPv6 literals.
/// </summary>
public sealed class AdminRoute
{
    public AdminRoute(string prefix, string path, AdminHandler handler)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(handler);
        Port = ParsePort(prefix);
        if (!path.StartsWith('/'))
        {
            throw new ArgumentException($"route path '{path}' must start with '/'", nameof(path));
        }

        Prefix = prefix;
        Path = path;
        Handler = handler;
    }

    public string Prefix { get; }

    public string Path { get; }

    /// <summary>The prefix's port, for messages when it cannot be listened on.</summary>
    public int Port { get; }

    public AdminHandler Handler { get; }

    /// <summary>A route whose handler only computes a whole <see cref="AdminResponse"/>.</summary>
    public static AdminRoute Respond(string prefix, string path, Func<CancellationToken, ValueTask<AdminResponse>> respond)
    {
        ArgumentNullException.ThrowIfNull(respond);
        return new AdminRoute(prefix, path, async (context, ct) =>
            await (await respond(ct).ConfigureAwait(false)).WriteAsync(context.Response, ct).ConfigureAwait(false));
    }

    // Routes are told apart by path within a prefix, so a prefix carries no path of its own; and the
    // port must be explicit so that a failure to listen can name it.
    private static int ParsePort(string prefix)
    {
        const string Scheme = "http://";
        var ok = prefix.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            && prefix.EndsWith('/')
            && prefix.IndexOf('/', Scheme.Length) == prefix.Length - 1;
        var authority = ok ? prefix[Scheme.Length..^1] : string.Empty;
        if (authority.StartsWith('['))
        {
            throw new ArgumentException($"'{prefix}': HttpListener on Linux cannot listen on an IPv6 literal; use 127.0.0.1, or a host name that resolves to the address", nameof(prefix));
        }

        var colon = authority.LastIndexOf(':');
        if (colon > 0
            && int.TryParse(authority.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535)
        {
            return port;
        }

        throw new ArgumentException($"'{prefix}' is not an admin prefix: it must be http://HOST:PORT/ with an explicit port and no path", nameof(prefix));
    }
}
