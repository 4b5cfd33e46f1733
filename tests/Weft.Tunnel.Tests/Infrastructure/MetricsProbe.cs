using System.Diagnostics.Metrics;

namespace Weft.Tunnel.Tests.Infrastructure;

/// <summary>
/// A test-owned <see cref="Meter"/> and a listener on it alone, recording every long counter
/// increment with its tags; tests read sums by tag and wait for them (signalled, no polling).
/// </summary>
internal sealed class MetricsProbe : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly MeterListener listener = new();
    private readonly Lock sync = new();
    private readonly List<(string Instrument, long Value, KeyValuePair<string, object?>[] Tags)> measurements = [];
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MetricsProbe()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>(OnMeasurement);
        listener.Start();
    }

    public Meter Meter { get; } = new("weft.test." + Guid.NewGuid().ToString("n"));

    /// <summary>The sum of <paramref name="instrument"/>'s increments whose tags include all of <paramref name="tags"/>.</summary>
    public long Sum(string instrument, params (string Key, string Value)[] tags)
    {
        lock (sync)
        {
            return measurements.Where(m => m.Instrument == instrument && Matches(m.Tags, tags)).Sum(m => m.Value);
        }
    }

    /// <summary>Every (tag value of <paramref name="key"/>, sum) of <paramref name="instrument"/>.</summary>
    public IReadOnlyDictionary<string, long> By(string instrument, string key)
    {
        lock (sync)
        {
            return measurements.Where(m => m.Instrument == instrument)
                .GroupBy(m => m.Tags.FirstOrDefault(t => t.Key == key).Value?.ToString() ?? "")
                .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        }
    }

    /// <summary>Waits until <see cref="Sum"/> reaches <paramref name="atLeast"/>.</summary>
    public async Task WaitForAsync(long atLeast, string instrument, params (string Key, string Value)[] tags)
    {
        using var cts = new CancellationTokenSource(DefaultTimeout);
        while (true)
        {
            Task next;
            lock (sync)
            {
                if (measurements.Where(m => m.Instrument == instrument && Matches(m.Tags, tags)).Sum(m => m.Value) >= atLeast)
                {
                    return;
                }

                next = changed.Task;
            }

            try
            {
                await next.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{instrument} {string.Join(",", tags)} did not reach {atLeast}: {Describe()}");
            }
        }
    }

    public string Describe()
    {
        lock (sync)
        {
            return string.Join("; ", measurements.Select(m => $"{m.Instrument}{{{string.Join(",", m.Tags.Select(t => $"{t.Key}={t.Value}"))}}}+{m.Value}"));
        }
    }

    public void Dispose()
    {
        listener.Dispose();
        Meter.Dispose();
    }

    private static bool Matches(KeyValuePair<string, object?>[] have, (string Key, string Value)[] want) =>
        want.All(w => have.Any(h => h.Key == w.Key && Equals(h.Value?.ToString(), w.Value)));

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        TaskCompletionSource signal;
        lock (sync)
        {
            measurements.Add((instrument.Name, value, tags.ToArray()));
            signal = changed;
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();
    }
}
