using System.Globalization;
using k8s.Models;
using static Weft.Kubernetes.Tests.WatchHarness;

namespace Weft.Kubernetes.Tests;

/// <summary>Watches that never end (a silent server) or end at once (an empty answer): neither may stall the view or hammer the server.</summary>
public sealed class ClusterWatchPacingTests
{
    [Fact]
    public async Task A_watch_whose_server_goes_silent_is_dropped_after_timeout_and_grace_and_resumed_from_the_last_resource_version()
    {
        var timeout = TimeSpan.FromSeconds(1);
        var grace = TimeSpan.FromMilliseconds(500);
        await using var h = new WatchHarness(o =>
        {
            o.WatchTimeout = timeout;
            o.WatchGrace = grace;
        });
        h.Server.SilentWatches = true;
        h.Server.Upsert(Pod("shop", "web-0"));
        await h.StartAndSyncAsync();
        var resumeFrom = h.Server.ResourceVersion.ToString(CultureInfo.InvariantCulture);

        // Made while the server is silent: it can only arrive through a watch opened after the silent one was given up.
        h.Server.Upsert(Pod("shop", "web-1"));
        await h.Server.WaitUntilAsync(s => s.WatchCount<V1Pod>() >= 2, Patience);
        h.Server.SilentWatches = false;
        var times = h.Server.WatchTimes<V1Pod>();

        Assert.InRange(times[1] - times[0], timeout + grace - TimeSpan.FromMilliseconds(100), timeout + grace + TimeSpan.FromSeconds(2));
        Assert.Equal(resumeFrom, h.Server.LastWatchResourceVersion<V1Pod>());
        var snapshot = await h.UntilAsync(s => s.Pods.ContainsKey("shop/web-1"));
        Assert.Equal(["shop/web-0", "shop/web-1"], snapshot.Pods.Keys.Order());
        Assert.Equal(1, h.Server.ListCount<V1Pod>());
        Assert.Equal(0, h.StatusOf("pods").Relists);
        Assert.True(h.Logger.Count(9009, "kubernetes pods:") >= 1);
        // A routine reconnect, not a failure.
        Assert.Equal(0, h.Logger.Count(9002));
    }

    [Fact]
    public async Task Watches_that_end_at_once_without_events_are_retried_with_growing_backoff()
    {
        await using var h = new WatchHarness(o =>
        {
            o.MinBackoff = TimeSpan.FromMilliseconds(50);
            o.MaxBackoff = TimeSpan.FromSeconds(2);
        });
        h.Server.EmptyWatches = true;
        h.Server.Upsert(Pod("shop", "web-0"));
        h.Watch.Start();
        await h.Watch.WaitForSyncAsync(CancellationToken.None).WaitAsync(Patience);

        await h.Server.WaitUntilAsync(s => s.WatchCount<V1Pod>() >= 7, Patience);
        var times = h.Server.WatchTimes<V1Pod>();

        // After the n-th empty watch the retry waits 50 ms·2^(n-1), jittered down to half: at least 25, 50, ... 800 ms.
        for (var n = 1; n <= 6; n++)
        {
            var least = TimeSpan.FromMilliseconds(25 * Math.Pow(2, n - 1) * 0.9);
            var gap = times[n] - times[n - 1];
            Assert.True(gap >= least, $"watch {n + 1} came {gap.TotalMilliseconds:0} ms after watch {n}, less than {least.TotalMilliseconds:0} ms");
        }

        var pods = h.StatusOf("pods");
        Assert.False(pods.Connected);
        Assert.Equal("the watch ended at once without events", pods.LastError);
        Assert.Equal(1, h.Logger.Count(9002, "kubernetes pods:"));
        Assert.Equal(1, h.Server.ListCount<V1Pod>());

        h.Server.EmptyWatches = false;
        h.Server.Upsert(Pod("shop", "web-1"));
        await h.UntilAsync(s => s.Pods.ContainsKey("shop/web-1"));
        Assert.Equal(1, h.Logger.Count(9003, "kubernetes pods"));
        Assert.Equal(1, h.Server.ListCount<V1Pod>());
    }
}
