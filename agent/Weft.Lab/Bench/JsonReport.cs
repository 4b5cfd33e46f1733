using System.Text.Json;

namespace Weft.Lab.Bench;

/// <summary>latest.json: the machine, the run's sizes, and every sample with its median, per case.</summary>
internal static class JsonReport
{
    public static void Write(string path, BenchReport r)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("started", r.Started);
        w.WriteNumber("durationSeconds", Math.Round(r.Duration.TotalSeconds, 1));
        w.WriteStartObject("machine");
        w.WriteString("cpu", r.Machine.Cpu);
        w.WriteNumber("cores", r.Machine.Cores);
        w.WriteString("kernel", r.Machine.Kernel);
        w.WriteString("dotnet", r.Machine.Dotnet);
        w.WriteString("iperf3", r.Machine.Iperf3);
        w.WriteString("sockperf", r.Machine.Sockperf);
        w.WriteString("stunnel", r.Machine.Stunnel);
        w.WriteEndObject();
        var o = r.Options;
        w.WriteStartObject("settings");
        w.WriteBoolean("smoke", o.Smoke);
        w.WriteNumber("repetitions", o.Reps);
        w.WriteNumber("iperfSeconds", o.IperfSeconds);
        w.WriteNumber("sockperfSeconds", o.SockperfSeconds);
        w.WriteNumber("sockperfMessageBytes", Sockperf.MessageBytes);
        w.WriteNumber("rateConnections", o.Connections);
        w.WriteNumber("rateConcurrency", o.RateConcurrency);
        w.WriteNumber("idleConnections", o.IdleConnections);
        w.WriteEndObject();
        w.WriteStartObject("agentIdleRssKib");
        w.WriteNumber("benchA_10_enrolled_pods", r.IdleRssA);
        w.WriteNumber("benchB_1_enrolled_pod", r.IdleRssB);
        w.WriteEndObject();
        w.WriteStartObject("cases");
        foreach (var c in r.Cases)
        {
            w.WriteStartObject(c);
            foreach (var figure in r.Samples.Figures(c).Order(StringComparer.Ordinal))
            {
                w.WriteStartObject(figure);
                w.WriteNumber("median", r.Samples.Median(c, figure)!.Value);
                w.WriteStartArray("samples");
                foreach (var v in r.Samples.Of(c, figure))
                {
                    w.WriteNumberValue(v);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }
}

/// <summary>What one run produced, for the three report writers.</summary>
internal sealed record BenchReport(
    DateTimeOffset Started, TimeSpan Duration, MachineInfo Machine, BenchOptions Options,
    IReadOnlyList<string> Cases, IReadOnlyDictionary<string, string> Titles, Samples Samples, long IdleRssA, long IdleRssB);
