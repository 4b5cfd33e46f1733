using System.Diagnostics;
using System.Globalization;
using k8s.Models;
using Weft.Tests.Shared.Kubernetes;
using static Weft.Kubernetes.Tests.WatchHarness;

namespace Weft.Kubernetes.Tests;

/// <summary>Watches that end, break, expire, or lose their API server; and disposal.</summary>
public sealed class ClusterWatchFailureTests
{
    [Fact]
    public async Task A_watch_dropped_mid_stream_resumes_from_the_last_resource_version_without_a_relist()
    {
        await using var h = new WatchHarness();
        h.Server.Upsert(Pod("shop", "web-0"));
        await h.StartAndSyncAsync();
        h.Server.Upsert(Pod("shop", "web-1"));
        await h.UntilAsync(s => s.Pods.ContainsKey("shop/web-1"));
        var resumeFrom = h.Server.ResourceVersion.ToString(CultureInfo.InvariantCulture);

        h.Server.DropWatches();
        h.Server.Upsert(Pod("shop", "web-2"));
        h.Server.Delete<V1Pod>("shop", "web-0");
        var snapshot = await h.UntilAsync(s => s.Pods.ContainsKey("shop/web-2") && !s.Pods.ContainsKey("shop/web-0"));

        Assert.Equal(["shop/web-1", "shop/web-2"], snapshot.Pods.Keys.Order());
        Assert.Equal(1, h.Server.ListCount<V1Pod>());
        Assert.Equal(1, h.Server.ListCount<V1Namespace>());
        Assert.Equal(2, h.Server.WatchCount<V1Pod>());
        Assert.Equal(resumeFrom, h.Server.LastWatchResourceVersion<V1Pod>());
        var pods = h.StatusOf("pods");
        Assert.Equal(0, pods.Relists);
        Assert.Equal(1, pods.WatchRestarts);
        Assert.NotNull(pods.LastEventAt);
    }

    [Fact]
    public async Task A_watch_the_server_ends_at_its_timeout_is_reopened_from_the_last_resource_version()
    {
        // One second is the least timeoutSeconds can say; watches without events end empty, the others after theirs.
        await using var h = new WatchHarness(o => o.WatchTimeout = TimeSpan.FromSeconds(1));
        h.Server.Upsert(Pod("shop", "web-0"));
        await h.StartAndSyncAsync();

        await h.Server.WaitUntilAsync(s => s.WatchCount<V1Pod>() >= 3 && s.WatchCount<V1Namespace>() >= 3, Patience);
        h.Server.Upsert(Pod("shop", "web-1"));
        await h.UntilAsync(s => s.Pods.ContainsKey("shop/web-1"));
        await h.Server.WaitUntilAsync(s => s.WatchCount<V1Pod>() >= 4, Patience);

        Assert.Equal(1, h.Server.ListCount<V1Pod>());
        Assert.Equal(1, h.Server.ListCount<V1Namespace>());
        Assert.Equal(h.Server.ResourceVersion.ToString(CultureInfo.InvariantCulture), h.Server.LastWatchResourceVersion<V1Pod>());
        Assert.True(h.StatusOf("pods").WatchRestarts >= 3);
        Assert.True(h.StatusOf("pods").Connected);
        // Quiet ends are routine: nothing above Debug.
        Assert.Equal(0, h.Logger.Count(9002));
    }

    [Theory]
    [InlineData(nameof(GoneForm.InStreamError))]
    [InlineData(nameof(GoneForm.HttpStatus))]
    public async Task An_expired_resource_version_relists_and_replaces_the_store(string form)
    {
        await using var h = new WatchHarness();
        h.Server.Upsert(Namespace("shop"));
        h.Server.Upsert(Pod("shop", "stays"));
        h.Server.Upsert(Pod("shop", "deleted-while-away"));
        h.Server.Upsert(Service("shop", "web"));
        await h.StartAndSyncAsync();

        // Away long enough for the server to compact the history we would resume from.
        h.Server.Stop();
        h.Server.Delete<V1Pod>("shop", "deleted-while-away");
        h.Server.Upsert(Pod("shop", "added-while-away"));
        h.Server.Upsert(Pod("shop", "stays", ip: "10.0.0.7"));
        h.Server.Delete<V1Service>("shop", "web");
        h.Server.ExpireHistory(Enum.Parse<GoneForm>(form));
        h.Server.Resume();

        var snapshot = await h.UntilAsync(s => s.Pods.ContainsKey("shop/added-while-away") && s.Services.Count == 0);

        Assert.Equal(["shop/added-while-away", "shop/stays"], snapshot.Pods.Keys.Order());
        Assert.Equal("10.0.0.7", snapshot.Pods["shop/stays"].Status?.PodIP);
        Assert.Equal(["shop"], snapshot.Namespaces.Keys);
        Assert.Equal(2, h.Server.ListCount<V1Pod>());
        Assert.Equal(2, h.Server.ListCount<V1Service>());
        await h.UntilStatusAsync("endpointslices", s => s.Relists == 1);
        var pods = h.StatusOf("pods");
        Assert.Equal(1, pods.Relists);
        Assert.Contains("410", pods.LastError, StringComparison.Ordinal);
        Assert.Equal(1, h.Logger.Count(9001, "kubernetes pods"));
        await h.Server.WaitUntilAsync(s => s.OpenWatches == 4, Patience);
    }

    [Fact]
    public async Task While_the_API_server_is_down_the_snapshot_stays_and_failures_are_logged_once_per_state()
    {
        await using var h = new WatchHarness();
        h.Server.Upsert(Namespace("shop"));
        h.Server.Upsert(Pod("shop", "web-0"));
        var synced = await h.StartAndSyncAsync();
        var raised = 0;
        h.Watch.Changed += (_, _) => Interlocked.Increment(ref raised);

        h.Server.Stop();
        await h.UntilStatusAsync("pods", s => !s.Connected);
        // An outage of some retries' length: backoff goes from 50 ms to its 400 ms cap.
        var outage = Stopwatch.StartNew();
        while (outage.Elapsed < TimeSpan.FromSeconds(2))
        {
            Assert.Same(synced, h.Watch.Current);
            await Task.Delay(100);
        }

        Assert.Same(synced, h.Watch.Current);
        Assert.Equal(0, Volatile.Read(ref raised));
        Assert.All(h.Watch.Status, s => Assert.False(s.Connected));
        Assert.All(h.Watch.Status, s => Assert.NotNull(s.LastError));
        // Per kind: "connection lost" when the open watch was cut, then "unreachable" for every refused retry: two states, not one line per retry.
        foreach (var kind in new[] { "namespaces", "pods", "services", "endpointslices" })
        {
            Assert.InRange(h.Logger.Count(9002, $"kubernetes {kind}:"), 1, 2);
        }

        h.Server.Resume();
        h.Server.Upsert(Pod("shop", "web-1"));
        var after = await h.UntilAsync(s => s.Pods.ContainsKey("shop/web-1"));

        Assert.Equal(["shop/web-0", "shop/web-1"], after.Pods.Keys.Order());
        Assert.Equal(1, h.Server.ListCount<V1Pod>());
        Assert.Equal(0, h.StatusOf("pods").Relists);
        Assert.True(h.StatusOf("pods").Connected);
        Assert.Equal(1, h.Logger.Count(9003, "kubernetes pods"));
    }

    [Fact]
    public async Task An_in_stream_error_other_than_410_rewatches_from_the_last_resource_version_and_keeps_the_store()
    {
        await using var h = new WatchHarness();
        h.Server.Upsert(Pod("shop", "web-0"));
        var synced = await h.StartAndSyncAsync();
        var resumeFrom = h.Server.ResourceVersion.ToString(CultureInfo.InvariantCulture);

        h.Server.SendWatchError<V1Pod>(500, "InternalError");
        await h.Server.WaitUntilAsync(s => s.WatchCount<V1Pod>() == 2 && s.OpenWatches == 4, Patience);

        Assert.Equal(1, h.Server.ListCount<V1Pod>());
        Assert.Equal(resumeFrom, h.Server.LastWatchResourceVersion<V1Pod>());
        Assert.Same(synced, h.Watch.Current);
        var pods = h.StatusOf("pods");
        Assert.Equal(0, pods.Relists);
        Assert.Equal("ERROR event 500 InternalError", pods.LastError);
        Assert.Equal(1, h.Logger.Count(9002, "ERROR event 500 InternalError"));
    }

    [Fact]
    public async Task An_in_stream_410_on_an_open_watch_relists()
    {
        await using var h = new WatchHarness();
        h.Server.Upsert(Pod("shop", "web-0"));
        await h.StartAndSyncAsync();

        h.Server.SendWatchError<V1Pod>(410, "Expired");
        await h.UntilStatusAsync("pods", s => s.Relists == 1);
        h.Server.Upsert(Pod("shop", "web-1"));
        await h.UntilAsync(s => s.Pods.ContainsKey("shop/web-1"));

        Assert.Equal(2, h.Server.ListCount<V1Pod>());
        Assert.Equal(1, h.Server.ListCount<V1Service>());
        Assert.Equal("ERROR event 410 Expired", h.StatusOf("pods").LastError);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_and_leave_the_store_alone()
    {
        await using var h = new WatchHarness();
        h.Server.Upsert(Pod("shop", "web-0"));
        var synced = await h.StartAndSyncAsync();

        h.Server.FailNextRequests(6, 503);
        h.Server.DropWatches();
        await h.Server.WaitUntilAsync(s => s.OpenWatches == 4 && s.WatchCount<V1Pod>() >= 2, Patience);
        Assert.Same(synced, h.Watch.Current);
        h.Server.Upsert(Pod("shop", "web-1"));
        await h.UntilAsync(s => s.Pods.ContainsKey("shop/web-1"));

        Assert.All(h.Watch.Status, s => Assert.Equal(0, s.Relists));
        Assert.Equal(1, h.Server.ListCount<V1Pod>());
        Assert.Equal(1, h.Server.ListCount<V1Namespace>());
        Assert.Contains(h.Watch.Status, s => s.LastError == "HTTP 503 ServiceUnavailable");
        Assert.True(h.Logger.Count(9002, "HTTP 503 ServiceUnavailable") >= 1);
    }

    [Fact]
    public async Task Dispose_stops_the_loops_promptly_and_closes_the_watch_connections()
    {
        var h = new WatchHarness();
        try
        {
            h.Server.Upsert(Pod("shop", "web-0"));
            await h.StartAndSyncAsync();
            var pending = h.Watch.NextChangeAsync(CancellationToken.None);

            var stopwatch = Stopwatch.StartNew();
            await h.Watch.DisposeAsync();
            stopwatch.Stop();

            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"dispose took {stopwatch.Elapsed}");
            await h.Server.WaitUntilAsync(s => s.OpenWatches == 0, Patience);
            await Assert.ThrowsAsync<ObjectDisposedException>(() => pending);
            await Assert.ThrowsAsync<ObjectDisposedException>(() => h.Watch.NextChangeAsync(CancellationToken.None));
            Assert.Throws<ObjectDisposedException>(h.Watch.Start);
            var watches = h.Server.WatchCount<V1Pod>();
            h.Server.Upsert(Pod("shop", "web-1"));
            h.Server.DropWatches();
            Assert.Equal(watches, h.Server.WatchCount<V1Pod>());
        }
        finally
        {
            await h.DisposeAsync();
        }
    }

    [Fact]
    public async Task Dispose_during_an_outage_does_not_wait_for_the_backoff()
    {
        await using var h = new WatchHarness(o =>
        {
            o.MinBackoff = TimeSpan.FromSeconds(20);
            o.MaxBackoff = TimeSpan.FromSeconds(20);
        });
        await h.StartAndSyncAsync();
        h.Server.Stop();
        await h.UntilStatusAsync("pods", s => !s.Connected);

        var stopwatch = Stopwatch.StartNew();
        await h.Watch.DisposeAsync();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"dispose took {stopwatch.Elapsed}");
    }
}
