using Weft.Tunnel.Http2;

namespace Weft.Tunnel.Hbone;

/// <summary>An open outbound tunnel: the server answered 200 on <see cref="Stream"/>.</summary>
/// <param name="Stream">The CONNECT stream; relay the application's bytes on it.</param>
/// <param name="NewConnection">Whether opening it took a new TLS handshake (false: a pooled connection carried it).</param>
public sealed record HboneTunnel(Http2Stream Stream, bool NewConnection);
