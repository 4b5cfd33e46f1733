using System.Text.Json.Serialization;
using Weft.Lab.Probe;

namespace Weft.Lab.Infra;

/// <summary>All JSON the lab reads and writes, source-generated (no reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LabRecord))]
[JsonSerializable(typeof(ProbeResult))]
[JsonSerializable(typeof(ListeningEvent))]
[JsonSerializable(typeof(ConnectionEvent))]
[JsonSerializable(typeof(ServerDigest))]
[JsonSerializable(typeof(RateResult))]
[JsonSerializable(typeof(HoldEvent))]
internal sealed partial class LabJsonContext : JsonSerializerContext;
