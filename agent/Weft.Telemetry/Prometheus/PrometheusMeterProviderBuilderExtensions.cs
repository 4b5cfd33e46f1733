using OpenTelemetry.Metrics;

namespace Weft.Telemetry.Prometheus;

/// <summary>Registers a <see cref="PrometheusScrape"/> with an OpenTelemetry meter provider.</summary>
public static class PrometheusMeterProviderBuilderExtensions
{
    /// <summary>
    /// Adds <paramref name="scrape"/>'s pull reader to the provider being built. The provider then owns
    /// the reader (disposing the provider ends collection: scrapes return false). A scrape can be
    /// added to one provider only.
    /// </summary>
    public static MeterProviderBuilder AddWeftPrometheus(this MeterProviderBuilder builder, PrometheusScrape scrape)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(scrape);
        return builder.AddReader(scrape.Attach());
    }
}
