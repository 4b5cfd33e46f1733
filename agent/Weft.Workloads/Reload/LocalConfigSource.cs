using Microsoft.Extensions.Logging;

namespace Weft.Workloads;

/// <summary>
/// The current local config, kept up to date with its file. Loads at construction (throwing
/// <see cref="ConfigException"/>, so the agent refuses to start on a bad file), then reloads on
/// change; a bad edit is logged and the last good config stays in force.
/// </summary>
/// <remarks>
/// Watches the directory, not the file: editors save by writing a temporary file and renaming it
/// over the original, and Kubernetes updates mounted ConfigMaps by swapping a symlink; both replace
/// the inode a file watch would follow. Any event in the directory schedules a debounced check,
/// and a check only publishes when the content differs from the running config.
/// </remarks>
public sealed partial class LocalConfigSource : IWorkloadSource, IDisposable
{
    private readonly ILogger logger;
    private readonly LocalConfigSourceOptions options;
    private readonly string directory;
    private readonly Lock gate = new();
    private readonly Timer debounce;
    private readonly Timer poll;
    private readonly FileSystemWatcher? watcher;
    private volatile LocalConfig current;

    // Guarded by gate.
    private TaskCompletionSource<LocalConfig> nextChange = NewWaiter();
    private string currentText;
    private string? lastRejection;
    private FileStamp stamp;
    private bool disposed;

    /// <exception cref="ConfigException">The file cannot be read or is not a valid config.</exception>
    public LocalConfigSource(string path, ILogger logger, LocalConfigSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(logger);
        FilePath = path;
        this.logger = logger;
        this.options = options ?? new LocalConfigSourceOptions();
        directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";

        stamp = FileStamp.Of(path);
        currentText = LocalConfigLoader.ReadFile(path);
        current = LocalConfigLoader.Parse(currentText, path, this.options.Mode);
        var enrolled = MeshMembership.EnrolledWorkloads(current).Count;
        LogLoaded(logger, path, current.Node, current.Workloads.Count, enrolled, current.Services.Count);

        debounce = new Timer(_ => Check(onlyIfTouched: false));
        var interval = this.options.PollInterval > TimeSpan.Zero ? this.options.PollInterval : Timeout.InfiniteTimeSpan;
        poll = new Timer(_ => Check(onlyIfTouched: true), null, interval, interval);
        watcher = this.options.WatchDirectory ? StartWatcher() : null;
    }

    /// <summary>The config file, as given.</summary>
    public string FilePath { get; }

    /// <summary>The config in force: the last one that loaded successfully.</summary>
    public LocalConfig Current => current;

    /// <summary>
    /// A new config was loaded. Raised one at a time, in order, on a background thread; keep
    /// handlers short, as further reloads wait for them. A throwing handler is logged and skipped.
    /// </summary>
    public event EventHandler<LocalConfig>? Changed;

    /// <summary>A changed file was rejected (and the running config kept); raised once per distinct error.</summary>
    public event EventHandler<ConfigException>? Rejected;

    /// <summary>
    /// Completes with the next config published after this call. Call it before making the change
    /// you want to observe, or the change may be published before you start waiting.
    /// </summary>
    public Task<LocalConfig> NextChangeAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return nextChange.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Checks the file now (e.g. on SIGHUP) instead of waiting for an event; same effects as a watched change.</summary>
    public void ReloadNow() => Check(onlyIfTouched: false);

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            nextChange.TrySetCanceled();
        }

        watcher?.Dispose();
        debounce.Dispose();
        poll.Dispose();
    }

    private static TaskCompletionSource<LocalConfig> NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FileSystemWatcher? StartWatcher()
    {
        FileSystemWatcher? created = null;
        try
        {
            created = new FileSystemWatcher(directory)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite
                    | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            created.Changed += OnFileEvent;
            created.Created += OnFileEvent;
            created.Deleted += OnFileEvent;
            created.Renamed += OnFileEvent;
            created.Error += OnWatcherError;
            created.EnableRaisingEvents = true;
            return created;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            // inotify instance limits are a common cause; the periodic check still notices changes.
            created?.Dispose();
            LogWatcherUnavailable(logger, directory, e.Message, options.PollInterval);
            return null;
        }
    }

    private void OnFileEvent(object? sender, FileSystemEventArgs e) => ScheduleCheck();

    private void OnWatcherError(object? sender, ErrorEventArgs e)
    {
        LogWatcherError(logger, directory, e.GetException().Message);
        ScheduleCheck();
    }

    private void ScheduleCheck()
    {
        try
        {
            // Restarting the one-shot timer on every event is the debounce.
            debounce.Change(options.Debounce, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // An event raced with Dispose.
        }
    }

    private void Check(bool onlyIfTouched)
    {
        try
        {
            lock (gate)
            {
                if (disposed)
                {
                    return;
                }

                var now = FileStamp.Of(FilePath);
                if (onlyIfTouched && now == stamp)
                {
                    return;
                }

                stamp = now;
                ReloadLocked();
            }
        }
        catch (Exception e)
        {
            // Runs on timer threads, where an escaping exception would end the process.
            LogCheckFailed(logger, FilePath, e);
        }
    }

    private void ReloadLocked()
    {
        string text;
        LocalConfig next;
        try
        {
            text = LocalConfigLoader.ReadFile(FilePath);
            if (text == currentText)
            {
                if (lastRejection is not null)
                {
                    lastRejection = null;
                    LogRecovered(logger, FilePath);
                }
                else
                {
                    LogUnchanged(logger, FilePath);
                }

                return;
            }

            next = LocalConfigLoader.Parse(text, FilePath, options.Mode);
        }
        catch (ConfigException e)
        {
            // Each problem is reported once, not on every unrelated event or periodic check.
            if (e.Message != lastRejection)
            {
                lastRejection = e.Message;
                LogRejected(logger, FilePath, e.Message);
                Notify(Rejected, e);
            }

            return;
        }

        currentText = text;
        lastRejection = null;
        current = next;
        var enrolled = MeshMembership.EnrolledWorkloads(next).Count;
        LogReloaded(logger, FilePath, next.Node, next.Workloads.Count, enrolled, next.Services.Count);
        Notify(Changed, next);

        var waiter = nextChange;
        nextChange = NewWaiter();
        waiter.TrySetResult(next);
    }

    private void Notify<T>(EventHandler<T>? handlers, T value)
    {
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<EventHandler<T>>())
        {
            try
            {
                handler(this, value);
            }
            catch (Exception e)
            {
                LogSubscriberFailed(logger, FilePath, e);
            }
        }
    }
}
