using System.Diagnostics.Metrics;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Weft.Telemetry.Prometheus;
using Weft.Telemetry.Tests.Support;

namespace Weft.Telemetry.Tests;

/// <summary>The scrape's life: before and after its provider, concurrent scrapes, one provider only.</summary>
public sealed class PrometheusScrapeTests
{
    [Fact]
    public async Task Before_the_provider_is_built_a_scrape_is_empty()
    {
        using var scrape = new PrometheusScrape();
        using var body = new MemoryStream();
        Assert.True(await scrape.TryWriteAsync(body, CancellationToken.None));
        Assert.Equal(0, body.Length);
    }

    [Fact]
    public async Task After_the_provider_is_disposed_a_scrape_fails_and_logs()
    {
        var logger = new TestLogger<PrometheusScrape>();
        using var scrape = new PrometheusScrape(logger);
        using var meter = new Meter("weft.test." + Guid.NewGuid().ToString("N"));
        var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddWeftPrometheus(scrape).Build();
        meter.CreateCounter<long>("weft.hits").Add(1);
        using (var body = new MemoryStream())
        {
            Assert.True(await scrape.TryWriteAsync(body, CancellationToken.None));
            Assert.Contains("weft_hits_total 1\n", Encoding.UTF8.GetString(body.ToArray()), StringComparison.Ordinal);
        }

        provider.Dispose();
        using (var body = new MemoryStream())
        {
            Assert.False(await scrape.TryWriteAsync(body, CancellationToken.None));
            Assert.Equal(0, body.Length);
        }

        Assert.NotEmpty(logger.Events(8022));
    }

    [Fact]
    public void A_scrape_joins_one_provider_only()
    {
        using var scrape = new PrometheusScrape();
        using var first = Sdk.CreateMeterProviderBuilder().AddWeftPrometheus(scrape).Build();
        var second = Sdk.CreateMeterProviderBuilder();
        Assert.Throws<InvalidOperationException>(() => second.AddWeftPrometheus(scrape));
    }

    [Fact]
    public async Task Concurrent_scrapes_each_get_the_whole_text()
    {
        using var h = new MetricsHarness(b => b.AddView("weft.latency", new ExplicitBucketHistogramConfiguration { Boundaries = [1, 2, 3] }));
        for (var i = 0; i < 50; i++)
        {
            h.Meter.CreateCounter<long>($"weft.counter{i}", description: $"Counter {i}.").Add(i, new KeyValuePair<string, object?>("i", i));
        }

        h.Meter.CreateHistogram<double>("weft.latency").Record(1.5);
        var expected = await h.ScrapeAsync();

        // The scrapes share one buffer: without serialization they would tear each other's text.
        var texts = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(h.ScrapeAsync)));
        Assert.All(texts, text => Assert.Equal(expected, text));
        Assert.Contains("weft_counter49_total{i=\"49\"} 49\n", expected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_writer_holds_later_scrapes_until_it_is_done()
    {
        using var h = new MetricsHarness();
        h.Meter.CreateCounter<long>("weft.hits").Add(1);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstSeen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = h.Scrape.TryWriteAsync(
            async (text, ct) =>
            {
                var copy = Encoding.UTF8.GetString(text.Span);
                await release.Task;
                firstSeen.SetResult(copy + "|" + Encoding.UTF8.GetString(text.Span));
            },
            CancellationToken.None);

        var second = h.ScrapeAsync();
        await Task.Delay(100);
        Assert.False(second.IsCompleted);
        release.SetResult();
        Assert.True(await first);
        var parts = (await firstSeen.Task).Split('|');
        Assert.Equal(parts[0], parts[1]);
        Assert.Equal(parts[0], await second);
    }
}
