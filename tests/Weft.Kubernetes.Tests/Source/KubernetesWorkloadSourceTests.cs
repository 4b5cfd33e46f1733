using k8s.Models;
using Weft.Policy;
using Weft.Workloads;
using static Weft.Kubernetes.Tests.Source.SourceHarness;

namespace Weft.Kubernetes.Tests.Source;

/// <summary>The Kubernetes source end to end: stand-in API server, real watch, real netns finder over a fake node.</summary>
public sealed class KubernetesWorkloadSourceTests
{
    private const string WebUid = "0a0a0a0a-0000-4000-8000-000000000001";
    private const string DbUid = "0a0a0a0a-0000-4000-8000-000000000002";

    [Fact]
    public async Task Until_the_first_complete_list_only_the_settings_are_published_and_the_source_is_not_ready()
    {
        await using var h = new SourceHarness();
        h.Watch.Server.Upsert(WatchHarness.Namespace("shop"));
        h.Watch.Server.Upsert(Pod("shop", "web-0", WebUid, "10.0.0.1"));
        h.Watch.Server.Stop();
        await h.StartAsync();

        Assert.Empty(h.Source.Current.Workloads);
        Assert.NotNull(h.Source.NotReadyReason);
        var settingsChange = h.Source.NextChangeAsync();
        h.Settings.Set(h.Settings.Current with { TrustDomain = "example.org" });
        var settingsOnly = await settingsChange.WaitAsync(WatchHarness.Patience);
        Assert.Equal("example.org", settingsOnly.TrustDomain);
        Assert.Empty(settingsOnly.Workloads);
        Assert.NotNull(h.Source.NotReadyReason);

        h.Watch.Server.Resume();
        var synced = await h.UntilAsync(c => c.Workloads.Count == 1);

        Assert.Null(h.Source.NotReadyReason);
        Assert.Equal(("example.org", "/etc/weft/config.yaml"), (synced.TrustDomain, synced.SourcePath));
        Assert.Equal(["shop"], synced.Namespaces.Select(n => n.Name));
        Assert.Equal(1, h.Logger.Count(9021));
    }

    [Fact]
    public async Task The_source_is_ready_only_once_its_config_holds_the_cluster()
    {
        // The watch's own Changed handlers run before the source has rebuilt: the source must not look ready then.
        await using var h = new SourceHarness(netnsRecheck: TimeSpan.FromMinutes(10));
        h.Watch.Server.Upsert(Pod("shop", "web-0", WebUid, "10.0.0.1"));
        var seen = new List<(string? Reason, int Workloads)>();
        h.Watch.Watch.Changed += (_, snapshot) =>
        {
            // The reason first: a ready source must already show the cluster.
            var reason = h.Source.NotReadyReason;
            lock (seen)
            {
                seen.Add((reason, h.Source.Current.Workloads.Count));
            }
        };
        await h.StartAsync();

        await h.UntilAsync(c => c.Workloads.Count == 1);

        lock (seen)
        {
            Assert.NotEmpty(seen);
            Assert.All(seen, s => Assert.True(s.Reason is not null || s.Workloads == 1, $"ready with {s.Workloads} workloads"));
        }
    }

    [Fact]
    public async Task An_empty_cluster_once_listed_is_published_and_ready()
    {
        await using var h = new SourceHarness();
        h.Watch.Server.Stop();
        await h.StartAsync();
        // A settings change before the list: published alone, and the very config the empty cluster translates to.
        var settingsOnly = h.Source.NextChangeAsync();
        h.Settings.Set(h.Settings.Current with { TrustDomain = "example.org" });
        await settingsOnly.WaitAsync(WatchHarness.Patience);
        var next = h.Source.NextChangeAsync();

        h.Watch.Server.Resume();

        // Still, the first synced config is published: readiness and the sync log wait for it.
        var synced = await next.WaitAsync(WatchHarness.Patience);
        Assert.Null(h.Source.NotReadyReason);
        Assert.Equal("example.org", synced.TrustDomain);
        Assert.Empty(synced.Workloads);
        Assert.Equal(1, h.Logger.Count(9021));
    }

    [Fact]
    public async Task Changes_the_model_does_not_use_publish_nothing_and_a_namespace_label_flip_changes_enrolment()
    {
        await using var h = new SourceHarness();
        h.AddSandbox(WebUid);
        h.Watch.Server.Upsert(WatchHarness.Namespace("shop"));
        var pod = Pod("shop", "web-0", WebUid, "10.0.0.1");
        h.Watch.Server.Upsert(pod);
        await h.StartAsync();
        var synced = await h.UntilAsync(c => c.Workloads.Count == 1 && c.Workloads[0].Netns is not null);
        Assert.Empty(MeshMembership.EnrolledWorkloads(synced));

        var next = h.Source.NextChangeAsync();
        pod.Metadata.Annotations = new Dictionary<string, string> { ["example.org/note"] = "irrelevant" };
        pod.Status.Conditions = [new V1PodCondition { Type = "Ready", Status = "True" }];
        var stored = h.Watch.Server.Upsert(pod);
        await h.Watch.UntilAsync(s => s.Pods["shop/web-0"].Metadata.ResourceVersion == stored.Metadata.ResourceVersion);
        // The one negative wait: a rebuild, had it published, takes milliseconds.
        await Assert.ThrowsAsync<TimeoutException>(() => next.WaitAsync(TimeSpan.FromSeconds(1)));
        Assert.Same(synced, h.Source.Current);

        var enabled = WatchHarness.Namespace("shop");
        enabled.Metadata.Labels = new Dictionary<string, string> { [MeshMembership.MeshLabel] = MeshMembership.MeshEnabled };
        h.Watch.Server.Upsert(enabled);
        var enrolled = await next.WaitAsync(WatchHarness.Patience);
        Assert.Equal(["web-0"], MeshMembership.EnrolledWorkloads(enrolled).Select(w => w.Name));

        h.Watch.Server.Upsert(WatchHarness.Namespace("shop"));
        var unenrolled = await h.UntilAsync(c => c.GetNamespace("shop").Labels.Count == 0);
        Assert.Empty(MeshMembership.EnrolledWorkloads(unenrolled));
        Assert.Single(unenrolled.Workloads);
    }

    [Fact]
    public async Task A_settings_change_is_published_with_the_cluster_kept()
    {
        await using var h = new SourceHarness();
        h.Watch.Server.Upsert(Pod("shop", "web-0", WebUid, "10.0.0.1"));
        h.Watch.Server.Upsert(WatchHarness.Service("shop", "web-0"));
        await h.StartAsync();
        await h.UntilAsync(c => c.Workloads.Count == 1 && c.Services.Count == 1);

        var next = h.Source.NextChangeAsync();
        var policy = new AuthorizationPolicy { Name = "deny-all", Namespace = "shop", Action = PolicyAction.Deny };
        h.Settings.Set(h.Settings.Current with { Policies = [policy] });
        var changed = await next.WaitAsync(WatchHarness.Patience);

        Assert.Equal([policy], changed.Policies);
        Assert.Equal(["web-0"], changed.Workloads.Select(w => w.Name));
        Assert.Equal(["web-0"], changed.Services.Select(s => s.Name));
        Assert.Same(changed, h.Source.Current);
    }

    [Fact]
    public async Task While_the_API_server_is_away_the_last_cluster_stays_and_changes_flow_again_after()
    {
        await using var h = new SourceHarness();
        h.AddSandbox(WebUid);
        h.Watch.Server.Upsert(Pod("shop", "web-0", WebUid, "10.0.0.1"));
        await h.StartAsync();
        var synced = await h.UntilAsync(c => c.Workloads.Count == 1 && c.Workloads[0].Netns is not null);
        await h.Watch.Server.WaitUntilAsync(s => s.OpenWatches == 4, WatchHarness.Patience);

        h.Watch.Server.Stop();
        await h.Watch.UntilStatusAsync("pods", s => !s.Connected);
        await h.Watch.UntilStatusAsync("namespaces", s => !s.Connected);

        Assert.Same(synced, h.Source.Current);
        Assert.Null(h.Source.NotReadyReason);

        h.Watch.Server.Upsert(Pod("shop", "web-1", DbUid, "10.0.0.2"));
        h.Watch.Server.Resume();
        var after = await h.UntilAsync(c => c.Workloads.Count == 2);
        Assert.Equal(["web-0", "web-1"], after.Workloads.Select(w => w.Name).Order());
        Assert.NotNull(after.Workloads.Single(w => w.Name == "web-0").Netns);
    }

    [Fact]
    public async Task Disposing_is_prompt_and_cancels_waiters()
    {
        var h = new SourceHarness();
        try
        {
            h.Watch.Server.Upsert(Pod("shop", "web-0", WebUid, "10.0.0.1"));
            await h.StartAsync();
            await h.UntilAsync(c => c.Workloads.Count == 1);
            var waiter = h.Source.NextChangeAsync();

            await h.Source.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Source.NextChangeAsync());
            await h.Source.StopAsync(CancellationToken.None); // the host stops it again: no error
        }
        finally
        {
            await h.DisposeAsync();
        }
    }
}
