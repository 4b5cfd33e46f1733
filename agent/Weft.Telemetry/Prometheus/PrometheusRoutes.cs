using Weft.Telemetry.Admin;

namespace Weft.Telemetry.Prometheus;

/// <summary>The scrape routes: /metrics and /stats/prometheus (Istio's path), the same text on both.</summary>
public static class PrometheusRoutes
{
    public static readonly IReadOnlyList<string> Paths = ["/metrics", "/stats/prometheus"];

    private static readonly AdminResponse CollectionFailed = AdminResponse.Text(503, "metrics collection failed; see the agent's log\n");

    /// <summary>Both scrape paths under <paramref name="prefix"/> (e.g. "http://127.0.0.1:15020/").</summary>
    public static IReadOnlyList<AdminRoute> For(string prefix, PrometheusScrape scrape)
    {
        ArgumentNullException.ThrowIfNull(scrape);
        AdminHandler handler = async (context, ct) =>
        {
            var response = context.Response;
            var served = await scrape.TryWriteAsync((text, c) =>
            {
                response.StatusCode = 200;
                response.ContentType = PrometheusScrape.ContentType;
                response.ContentLength64 = text.Length;
                return response.OutputStream.WriteAsync(text, c);
            }, ct).ConfigureAwait(false);
            if (!served)
            {
                await CollectionFailed.WriteAsync(response, ct).ConfigureAwait(false);
            }
        };
        return [.. Paths.Select(path => new AdminRoute(prefix, path, handler))];
    }
}
