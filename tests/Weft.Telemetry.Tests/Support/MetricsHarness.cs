using System.Diagnostics.Metrics;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Weft.Telemetry.Prometheus;

namespace Weft.Telemetry.Tests.Support;

/// <summary>
/// A meter of its own (a unique name, so tests running side by side never see each other's
/// instruments), a meter provider listening to it and a <see cref="PrometheusScrape"/> on that provider.
/// </summary>
internal sealed class MetricsHarness : IDisposable
{
    public MetricsHarness(Action<MeterProviderBuilder>? configure = null, string? extraMeter = null)
    {
        Meter = new Meter("weft.test." + Guid.NewGuid().ToString("N"));
        Logger = new TestLogger<PrometheusScrape>();
        Scrape = new PrometheusScrape(Logger);
        var builder = Sdk.CreateMeterProviderBuilder().AddMeter(Meter.Name);
        if (extraMeter is not null)
        {
            builder.AddMeter(extraMeter);
        }

        configure?.Invoke(builder);
        Provider = builder.AddWeftPrometheus(Scrape).Build();
    }

    public Meter Meter { get; }

    public PrometheusScrape Scrape { get; }

    public MeterProvider Provider { get; }

    public TestLogger<PrometheusScrape> Logger { get; }

    /// <summary>One scrape's text; fails the test if collection failed.</summary>
    public async Task<string> ScrapeAsync()
    {
        using var body = new MemoryStream();
        Assert.True(await Scrape.TryWriteAsync(body, CancellationToken.None), "collection failed");
        return Encoding.UTF8.GetString(body.ToArray());
    }

    public void Dispose()
    {
        Provider.Dispose();
        Meter.Dispose();
        Scrape.Dispose();
    }
}
