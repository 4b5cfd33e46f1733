using Weft.Tunnel.Http2;

namespace Weft.Tunnel.Hbone;

/// <summary>How HBONE connections are made and kept, both ends.</summary>
public sealed record HboneOptions
{
    /// <summary>The port every pod's tunnel listener answers on (ztunnel's).</summary>
    public const int Port = 15008;

    /// <summary>The only application protocol HBONE speaks inside TLS.</summary>
    public const string Alpn = "h2";

    /// <summary>HTTP/2 settings of each tunnel connection (large windows: one connection carries many TCP streams).</summary>
    public Http2Options Http2 { get; init; } = new() { MaxConcurrentStreams = 100 };

    /// <summary>A TLS handshake (TCP connect included, on the client) that takes longer fails.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Opening a tunnel on an established connection (a stream slot there, then the server's answer
    /// to the CONNECT) that takes longer fails: a server that keeps the connection alive but never
    /// answers must not hold the application's connection forever. Longer than the server's own
    /// connect to the application (10 s), so a slow application still gets its 503.
    /// </summary>
    public TimeSpan OpenTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The client opens at most this many concurrent streams on one pooled connection, then opens another.</summary>
    public int MaxStreamsPerConnection { get; init; } = 100;

    /// <summary>A pooled client connection with no stream for this long is closed (GOAWAY).</summary>
    public TimeSpan PoolIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
