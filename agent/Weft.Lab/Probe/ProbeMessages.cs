namespace Weft.Lab.Probe;

/// <summary>`probe serve` is ready: {"event":"listening","ports":[…]}.</summary>
internal sealed record ListeningEvent(string Event, IReadOnlyList<int> Ports);

/// <summary>One served connection: {"event":"conn","local":…,"remote":…,"bytes":N,"sha256":…}.</summary>
internal sealed record ConnectionEvent(string Event, string Local, string Remote, long Bytes, string Sha256, string? Error = null);

/// <summary>The line the server sends back before the reply pattern: {"bytes":N,"sha256":…}.</summary>
internal sealed record ServerDigest(long Bytes, string Sha256);

/// <summary>`probe rate`'s summary: {"ok":…,"connections":N,"failures":F,"elapsedMs":…}.</summary>
internal sealed record RateResult(bool Ok, int Connections, int Failures, double ElapsedMs, string? Error);

/// <summary>`probe hold` has its connections open: {"event":"held","open":N,"failures":F}.</summary>
internal sealed record HoldEvent(string Event, int Open, int Failures, string? Error);
