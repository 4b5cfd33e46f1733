namespace Weft.Lab.Probe;

/// <summary>`probe serve` is ready: {"event":"listening","ports":[…]}.</summary>
internal sealed record ListeningEvent(string Event, IReadOnlyList<int> Ports);

/// <summary>One served connection: {"event":"conn","local":…,"remote":…,"bytes":N,"sha256":…}.</summary>
internal sealed record ConnectionEvent(string Event, string Local, string Remote, long Bytes, string Sha256, string? Error = null);

/// <summary>The line the server sends back before the reply pattern: {"bytes":N,"sha256":…}.</summary>
internal sealed record ServerDigest(long Bytes, string Sha256);
