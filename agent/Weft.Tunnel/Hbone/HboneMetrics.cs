using System.Diagnostics.Metrics;

namespace Weft.Tunnel.Hbone;

/// <summary>
/// Counters of the HBONE layer: every handshake and every refusal, by side and reason, so an
/// attack or a misconfiguration shows up as a number and not only in logs. One instance per agent.
/// </summary>
public sealed class HboneMetrics
{
    private readonly Counter<long> handshakes;
    private readonly Counter<long> refusals;

    public HboneMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        handshakes = meter.CreateCounter<long>("weft.hbone.handshakes", description: "TLS handshakes of HBONE connections, by side (client, server) and result");
        refusals = meter.CreateCounter<long>("weft.hbone.refusals", description: "HBONE connections or streams refused, by side and reason");
    }

    /// <summary>A handshake ended: <paramref name="result"/> is "ok" or the failure (a <see cref="HboneFailure"/> name).</summary>
    public void Handshake(string side, string result) =>
        handshakes.Add(1, new KeyValuePair<string, object?>("side", side), new KeyValuePair<string, object?>("result", result));

    /// <summary>A connection or stream was refused, for <paramref name="reason"/> (a <see cref="HboneFailure"/> name).</summary>
    public void Refused(string side, string reason) =>
        refusals.Add(1, new KeyValuePair<string, object?>("side", side), new KeyValuePair<string, object?>("reason", reason));
}
