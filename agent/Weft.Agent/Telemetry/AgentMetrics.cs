using System.Diagnostics.Metrics;
using Weft.Agent.Enrolment;
using Weft.Capture;
using Weft.Capture.Maps;
using Weft.Identity;
using Weft.Proxy.Connections;
using Weft.Tunnel.Hbone;

namespace Weft.Agent.Telemetry;

/// <summary>
/// The agent's own state as observable instruments, read at collection time: enrolled pods,
/// certificates and their expiry, live connections, HBONE pool size, BPF map occupancy and the
/// capture programs' event counters.
/// </summary>
public static class AgentMetrics
{
    public static void Register(Meter meter, PodReconciler pods, CertificateManager certificates, ConnectionTracker connections, HboneClientPool tunnels, BpfCapture capture, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(tunnels);
        ArgumentNullException.ThrowIfNull(capture);
        var clock = time ?? TimeProvider.System;
        meter.CreateObservableGauge("weft.workloads.enrolled", () => pods.Count, description: "Pods enrolled on this node");
        meter.CreateObservableGauge("weft.connections.live", () => connections.Count, description: "Connections the agent is proxying or tunnelling now");
        meter.CreateObservableGauge("weft.hbone.pool.connections", () => tunnels.ConnectionCount, description: "Pooled outbound HBONE connections");
        meter.CreateObservableGauge("weft.certificates", () => certificates.Identities.Count, description: "Identities this node holds a certificate for");
        meter.CreateObservableGauge(
            "weft.certificate.expiry",
            () => ExpiryMeasurements(certificates, clock.GetUtcNow()),
            unit: "s",
            description: "Seconds until each identity's current certificate expires");
        meter.CreateObservableGauge("weft.bpf.map.entries", () => capture.Occupancy().Select(m => new Measurement<long>(m.Entries, new KeyValuePair<string, object?>("map", m.Map))), description: "Entries in the capture maps");

        // Capacities never change: read once here, so a collection walks the maps' keys once (for the entries), not twice.
        var capacities = capture.Occupancy().Select(m => new Measurement<long>(m.Capacity, new KeyValuePair<string, object?>("map", m.Map))).ToArray();
        meter.CreateObservableGauge("weft.bpf.map.capacity", () => capacities, description: "Capacity of the capture maps");
        meter.CreateObservableCounter(
            "weft.capture.events",
            () => Enum.GetValues<WeftCounter>().Select(c => new Measurement<long>((long)capture.Counter(c), new KeyValuePair<string, object?>("event", c.ToString()))),
            description: "Decisions of the eBPF programs (redirected, skipped and why, steered)");
    }

    private static IEnumerable<Measurement<double>> ExpiryMeasurements(CertificateManager certificates, DateTimeOffset now)
    {
        foreach (var id in certificates.Identities)
        {
            if (certificates.TryGetCurrent(id) is { } cert)
            {
                yield return new Measurement<double>((cert.NotAfter - now).TotalSeconds, new KeyValuePair<string, object?>("identity", id.ToString()));
            }
        }
    }
}
