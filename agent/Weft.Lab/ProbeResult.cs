using System.Text.Json;
using Weft.Lab.Infra;

namespace Weft.Lab;

/// <summary>
/// The summary line of `probe send`. <see cref="Sent"/> is the byte count per connection,
/// <see cref="Received"/> the verified reply bytes of the first connection;
/// <see cref="Sha256"/>, <see cref="Local"/> and <see cref="Remote"/> are also those of the first.
/// </summary>
public sealed record ProbeResult(
    bool Ok,
    int Connections,
    int Failures,
    long Sent,
    long Received,
    string? Sha256,
    string? Local,
    string? Remote,
    string? Error,
    long ElapsedMs)
{
    public static ProbeResult Parse(string json) =>
        JsonSerializer.Deserialize(json, LabJsonContext.Default.ProbeResult)
        ?? throw new FormatException($"not a probe result: {json}");

    public string ToJson() => JsonSerializer.Serialize(this, LabJsonContext.Default.ProbeResult);
}
