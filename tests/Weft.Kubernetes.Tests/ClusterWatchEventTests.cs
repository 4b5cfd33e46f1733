using System.Globalization;
using k8s.Models;
using Weft.Kubernetes.Watch;
using static Weft.Kubernetes.Tests.WatchHarness;

namespace Weft.Kubernetes.Tests;

/// <summary>Changes flowing through open watches: add, modify, delete, bookmarks, publication order.</summary>
public sealed class ClusterWatchEventTests
{
    [Fact]
    public async Task Added_modified_and_deleted_objects_of_every_kind_show_in_later_snapshots()
    {
        await using var h = new WatchHarness();
        h.Server.Upsert(Namespace("shop"));
        h.Server.Upsert(Pod("shop", "web-0", ip: "10.0.0.1"));
        var synced = await h.StartAndSyncAsync();

        h.Server.Upsert(Pod("shop", "web-1", ip: "10.0.0.2"));
        h.Server.Upsert(Namespace("billing"));
        h.Server.Upsert(Service("shop", "web"));
        h.Server.Upsert(Slice("shop", "web-abc", "web"));
        var added = await h.UntilAsync(s => s.Pods.ContainsKey("shop/web-1") && s.Namespaces.ContainsKey("billing")
            && s.Services.ContainsKey("shop/web") && s.EndpointSlices.ContainsKey("shop/web-abc"));

        h.Server.Upsert(Pod("shop", "web-0", ip: "10.0.0.9"));
        var modified = await h.UntilAsync(s => s.Pods["shop/web-0"].Status?.PodIP == "10.0.0.9");

        Assert.True(h.Server.Delete<V1Pod>("shop", "web-1"));
        Assert.True(h.Server.Delete<V1Namespace>(null, "billing"));
        Assert.True(h.Server.Delete<V1EndpointSlice>("shop", "web-abc"));
        var deleted = await h.UntilAsync(s => !s.Pods.ContainsKey("shop/web-1") && !s.Namespaces.ContainsKey("billing") && s.EndpointSlices.Count == 0);

        Assert.Equal(["shop/web-0"], synced.Pods.Keys);
        Assert.Equal("10.0.0.1", added.Pods["shop/web-0"].Status?.PodIP);
        Assert.Equal(["shop/web-0", "shop/web-1"], modified.Pods.Keys.Order());
        Assert.Equal(["shop/web-0"], deleted.Pods.Keys);
        Assert.Equal(["shop"], deleted.Namespaces.Keys);
        Assert.Equal(["shop/web"], deleted.Services.Keys);
        // Earlier snapshots are not touched by later changes.
        Assert.Equal(2, added.Pods.Count);
        Assert.Equal("10.0.0.1", added.Pods["shop/web-0"].Status?.PodIP);
        Assert.All(h.Watch.Status, s => Assert.Equal(0, s.Relists));
        Assert.Equal(1, h.Server.ListCount<V1Pod>());
    }

    [Fact]
    public async Task Bookmarks_advance_the_resume_point_without_publishing_a_snapshot()
    {
        await using var h = new WatchHarness(o => o.Debounce = TimeSpan.Zero);
        h.Server.Upsert(Pod("shop", "web-0"));
        await h.StartAndSyncAsync();
        // Changed runs after NextChangeAsync's waiters are released, so the test waits for the handler of the pod's snapshot.
        var raised = new List<ClusterSnapshot>();
        var podRaised = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Watch.Changed += (_, snapshot) =>
        {
            lock (raised)
            {
                raised.Add(snapshot);
            }

            if (snapshot.Pods.ContainsKey("shop/web-1"))
            {
                podRaised.TrySetResult();
            }
        };
        var before = h.Watch.Current;

        // Namespace changes move the global resourceVersion past everything the pod watch has seen.
        h.Server.Upsert(Namespace("a"));
        h.Server.Upsert(Namespace("b"));
        var namespaced = await h.UntilAsync(s => s.Namespaces.Count == 2);
        var podsVersionBefore = h.StatusOf("pods").LastResourceVersion;
        var bookmarked = h.Server.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        var next = h.Watch.NextChangeAsync(CancellationToken.None);

        h.Server.SendBookmarks();
        await h.UntilStatusAsync("pods", s => s.LastResourceVersion == bookmarked);
        await h.UntilStatusAsync("services", s => s.LastResourceVersion == bookmarked);
        h.Server.Upsert(Pod("shop", "web-1"));
        var after = await next.WaitAsync(Patience);
        await podRaised.Task.WaitAsync(Patience);

        Assert.NotEqual(bookmarked, podsVersionBefore);
        // The first snapshot after the bookmarks is the pod's: the bookmarks published nothing of their own.
        Assert.True(after.Pods.ContainsKey("shop/web-1"));
        lock (raised)
        {
            Assert.Equal([namespaced, after], raised.SkipWhile(s => !ReferenceEquals(s, namespaced)));
        }

        Assert.NotSame(before, after);

        // A re-watch resumes from the bookmark, not from the older version of the pod list.
        h.Server.DropWatches();
        await h.Server.WaitUntilAsync(s => s.WatchCount<V1Service>() >= 2 && s.OpenWatches == 4, Patience);
        Assert.Equal(bookmarked, h.Server.LastWatchResourceVersion<V1Service>());
        Assert.Equal(1, h.Server.ListCount<V1Service>());
    }

    [Fact]
    public async Task Changed_is_raised_serially_and_in_order_and_a_throwing_handler_is_logged_and_skipped()
    {
        await using var h = new WatchHarness(o => o.Debounce = TimeSpan.Zero);
        await h.StartAndSyncAsync();
        var seen = new List<ClusterSnapshot>();
        var inside = 0;
        var overlapped = false;
        h.Watch.Changed += (_, _) => throw new InvalidOperationException("handler bug");
        h.Watch.Changed += (_, snapshot) =>
        {
            if (Interlocked.Increment(ref inside) > 1)
            {
                overlapped = true;
            }

            // Slow enough that further changes arrive while this handler runs.
            Thread.Sleep(15);
            lock (seen)
            {
                seen.Add(snapshot);
            }

            Interlocked.Decrement(ref inside);
        };

        for (var i = 0; i < 10; i++)
        {
            h.Server.Upsert(Pod("shop", $"web-{i}"));
            if (i % 3 == 0)
            {
                await h.UntilAsync(s => s.Pods.ContainsKey($"shop/web-{i}"));
            }
        }

        var last = await h.UntilAsync(s => s.Pods.Count == 10);
        await WaitForAsync(() => { lock (seen) { return seen.Count > 0 && seen[^1] == last; } });

        Assert.False(overlapped);
        List<ClusterSnapshot> order;
        lock (seen)
        {
            order = [.. seen];
        }

        Assert.True(order.Count >= 4, $"only {order.Count} snapshots");
        // In order: each snapshot holds everything the one before it held.
        for (var i = 1; i < order.Count; i++)
        {
            Assert.Superset(order[i - 1].Pods.Keys.ToHashSet(), order[i].Pods.Keys.ToHashSet());
        }

        Assert.Equal(order.Count, h.Logger.Count(9008));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }
}
