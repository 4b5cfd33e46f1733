using Microsoft.Extensions.Logging;

namespace Weft.Workloads.Tests;

public sealed class LocalConfigSourceTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    // Long poll interval: these tests must be satisfied by the file events alone.
    private static readonly LocalConfigSourceOptions EventsOnly = new() { PollInterval = TimeSpan.FromMinutes(5) };

    private readonly TempConfigFile file = new(ExampleConfig.Text);
    private readonly TestLogger logger = new();

    public void Dispose() => file.Dispose();

    [Fact]
    public void Loads_at_start()
    {
        using var source = new LocalConfigSource(file.Path, logger, EventsOnly);

        Assert.Equal("node-a", source.Current.Node);
        Assert.Equal(file.Path, source.Current.SourcePath);
        var loaded = Assert.Single(logger.WithId(4001));
        Assert.Equal(LogLevel.Information, loaded.Level);
        Assert.Contains("1 workloads (1 enrolled here), 1 services", loaded.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_file_at_start_throws()
    {
        file.Write("node: node-a\nworkloads: 3\n");

        var e = Assert.Throws<ConfigException>(() => new LocalConfigSource(file.Path, logger, EventsOnly));

        Assert.Equal((file.Path, 2, 12, "workloads"), (e.File, e.Line, e.Column, e.Field));
    }

    [Fact]
    public void Missing_file_at_start_throws()
    {
        var e = Assert.Throws<ConfigException>(() => new LocalConfigSource(file.Path + ".missing", logger, EventsOnly));

        Assert.Contains("cannot read the file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Picks_up_a_change()
    {
        using var source = new LocalConfigSource(file.Path, logger, EventsOnly);
        var raised = new TaskCompletionSource<LocalConfig>();
        source.Changed += (_, config) => raised.TrySetResult(config);
        var next = source.NextChangeAsync();

        file.Write(ExampleConfig.Text.Replace("10.77.0.2", "10.77.0.9", StringComparison.Ordinal));

        var changed = await next.WaitAsync(Patience);
        Assert.Equal("10.77.0.9", changed.Workloads[0].Addresses[0].ToString());
        Assert.Same(changed, source.Current);
        Assert.Same(changed, await raised.Task.WaitAsync(Patience));
        Assert.Single(logger.WithId(4002));
    }

    [Fact]
    public async Task Atomic_rename_over_is_picked_up()
    {
        using var source = new LocalConfigSource(file.Path, logger, EventsOnly);
        var next = source.NextChangeAsync();

        file.ReplaceAtomically(ExampleConfig.Text.Replace("node: node-a\ntrust", "node: node-b\ntrust", StringComparison.Ordinal));

        var changed = await next.WaitAsync(Patience);
        Assert.Equal("node-b", changed.Node);
        Assert.Equal("node-b", source.Current.Node);
    }

    [Fact]
    public async Task Configmap_style_symlink_swap_is_picked_up()
    {
        // Kubelet's layout: config.yaml -> ..data/config.yaml, ..data -> ..v1 (a versioned
        // directory); an update writes a new directory and renames a new ..data link over the old one.
        var first = Path.Combine(file.Directory, "..v1");
        Directory.CreateDirectory(first);
        File.WriteAllText(Path.Combine(first, "config.yaml"), ExampleConfig.Text);
        Directory.CreateSymbolicLink(Path.Combine(file.Directory, "..data"), "..v1");
        var linked = Path.Combine(file.Directory, "linked.yaml");
        File.CreateSymbolicLink(linked, "..data/config.yaml");
        using var source = new LocalConfigSource(linked, logger, EventsOnly);
        var next = source.NextChangeAsync();

        var second = Path.Combine(file.Directory, "..v2");
        Directory.CreateDirectory(second);
        File.WriteAllText(Path.Combine(second, "config.yaml"), ExampleConfig.Text.Replace("10.96.0.10", "10.96.0.20", StringComparison.Ordinal));
        Directory.CreateSymbolicLink(Path.Combine(file.Directory, "..data_tmp"), "..v2");
        Libc.Rename(Path.Combine(file.Directory, "..data_tmp"), Path.Combine(file.Directory, "..data"));

        var changed = await next.WaitAsync(Patience);
        Assert.Equal("10.96.0.20", changed.Services[0].Addresses[0].ToString());
    }

    [Fact]
    public async Task Broken_file_keeps_the_last_good_config_and_logs_why_then_recovers()
    {
        using var source = new LocalConfigSource(file.Path, logger, EventsOnly);
        var good = source.Current;
        var rejected = new TaskCompletionSource<ConfigException>();
        source.Rejected += (_, e) => rejected.TrySetResult(e);

        file.Write(ExampleConfig.Text.Replace("10.77.0.2", "10.77.0.x", StringComparison.Ordinal));

        var error = await rejected.Task.WaitAsync(Patience);
        Assert.Equal((16, 17, "workloads[0].addresses[0]"), (error.Line, error.Column, error.Field));
        Assert.Same(good, source.Current);
        var logged = Assert.Single(logger.WithId(4003));
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Equal($"config {file.Path} rejected, keeping the last good config: {file.Path}:16:17: workloads[0].addresses[0]: \"10.77.0.x\" is not an IP address", logged.Message);

        var next = source.NextChangeAsync();
        file.Write(ExampleConfig.Text.Replace("10.77.0.2", "10.77.0.3", StringComparison.Ordinal));

        var fixedConfig = await next.WaitAsync(Patience);
        Assert.Equal("10.77.0.3", fixedConfig.Workloads[0].Addresses[0].ToString());
        Assert.Same(fixedConfig, source.Current);
    }

    [Fact]
    public async Task Restoring_the_running_config_after_a_bad_edit_logs_recovery_without_a_change()
    {
        using var source = new LocalConfigSource(file.Path, logger, EventsOnly);
        var rejected = new TaskCompletionSource<ConfigException>();
        source.Rejected += (_, e) => rejected.TrySetResult(e);
        var changes = 0;
        source.Changed += (_, _) => Interlocked.Increment(ref changes);

        file.Write("node: [\n");
        await rejected.Task.WaitAsync(Patience);
        file.Write(ExampleConfig.Text);

        await WaitUntil(() => logger.WithId(4004).Any());
        Assert.Equal(0, changes);
    }

    [Fact]
    public async Task Periodic_check_alone_notices_a_change()
    {
        var pollOnly = new LocalConfigSourceOptions { WatchDirectory = false, PollInterval = TimeSpan.FromMilliseconds(100) };
        using var source = new LocalConfigSource(file.Path, logger, pollOnly);
        var next = source.NextChangeAsync();

        file.Write(ExampleConfig.Text.Replace("serviceAccount: web", "serviceAccount: shop-web", StringComparison.Ordinal));

        var changed = await next.WaitAsync(Patience);
        Assert.Equal("shop-web", changed.Workloads[0].ServiceAccount);
    }

    [Fact]
    public async Task Failing_subscriber_is_logged_and_others_still_run()
    {
        using var source = new LocalConfigSource(file.Path, logger, EventsOnly);
        source.Changed += (_, _) => throw new InvalidOperationException("subscriber bug");
        var second = new TaskCompletionSource<LocalConfig>();
        source.Changed += (_, config) => second.TrySetResult(config);

        file.Write(ExampleConfig.Text.Replace("10.77.0.2", "10.77.0.4", StringComparison.Ordinal));

        await second.Task.WaitAsync(Patience);
        var failure = Assert.Single(logger.WithId(4008));
        Assert.IsType<InvalidOperationException>(failure.Exception);
    }

    [Fact]
    public void Reload_now_checks_without_waiting_for_events()
    {
        using var source = new LocalConfigSource(file.Path, logger, new LocalConfigSourceOptions { WatchDirectory = false, PollInterval = TimeSpan.Zero });
        file.Write(ExampleConfig.Text.Replace("node: node-a\ntrust", "node: node-c\ntrust", StringComparison.Ordinal));

        source.ReloadNow();

        Assert.Equal("node-c", source.Current.Node);
    }

    [Fact]
    public async Task Dispose_cancels_waiters_and_stops_watching()
    {
        var source = new LocalConfigSource(file.Path, logger, EventsOnly);
        var waiter = source.NextChangeAsync();

        source.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        Assert.Throws<ObjectDisposedException>(() => { _ = source.NextChangeAsync(); });
        source.ReloadNow();
        source.Dispose();
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
