using System.Diagnostics.Metrics;

namespace Weft.Telemetry.Metrics;

/// <summary>Authorization outcomes the operator alerts on: new connections denied, live ones revoked by a policy change.</summary>
public sealed class PolicyMetrics
{
    private readonly Counter<long> denials;
    private readonly Counter<long> revocations;

    public PolicyMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        denials = meter.CreateCounter<long>("weft.policy.denials", description: "Inbound connections refused by authorization, by reason");
        revocations = meter.CreateCounter<long>("weft.policy.revocations", description: "Live connections closed because a policy change no longer allows them, by reason");
    }

    /// <param name="reason">Which rule decided (a DecisionReason name: DenyPolicyMatched, NoAllowPolicyMatched, PlaintextRefused).</param>
    public void Denied(string reason) => denials.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Revoked(string reason) => revocations.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
