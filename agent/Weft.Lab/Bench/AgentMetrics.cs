using System.Globalization;

namespace Weft.Lab.Bench;

/// <summary>Reads a lab node's agent Prometheus endpoint (127.0.0.1, the node's own port).</summary>
internal static class AgentMetrics
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Sum of weft_hbone_handshakes_total samples with side="client": TLS handshakes the node's agent started.</summary>
    public static async Task<double> ClientHandshakesAsync(LabNode node)
    {
        var text = await Http.GetStringAsync(new Uri($"http://127.0.0.1:{node.TelemetryPorts.Metrics}/metrics")).ConfigureAwait(false);
        var samples = text.Split('\n')
            .Where(l => l.StartsWith("weft_hbone_handshakes_total{", StringComparison.Ordinal) && l.Contains("side=\"client\"", StringComparison.Ordinal))
            .ToList();
        // Called after the case's throughput runs, so a tunnel was made: no sample means a renamed
        // metric, and a silent 0 would read as perfect pooling.
        return samples.Count == 0 && node.Pods.Any(p => p.Name.EndsWith("-c", StringComparison.Ordinal))
            ? throw new InvalidOperationException($"{node.Name}'s agent exports no weft_hbone_handshakes_total{{side=\"client\"}}")
            : samples.Sum(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
    }

    /// <summary>True once the agent's readiness endpoint answers 200 (BPF attached, every certificate loaded).</summary>
    public static async Task<bool> ReadyAsync(LabNode node)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{node.TelemetryPorts.Readiness}/healthz/ready")).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
