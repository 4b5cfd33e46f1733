using Weft.Workloads;

namespace Weft.Kubernetes.Tests.Source;

/// <summary>The settings file as the Kubernetes source sees it: a config the test replaces, announced with Changed.</summary>
internal sealed class FakeSettingsSource(LocalConfig initial) : IWorkloadSource
{
    private readonly Lock gate = new();
    private LocalConfig current = initial;
    private TaskCompletionSource<LocalConfig> next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public event EventHandler<LocalConfig>? Changed;

    public LocalConfig Current
    {
        get
        {
            lock (gate)
            {
                return current;
            }
        }
    }

    public Task<LocalConfig> NextChangeAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return next.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>A reload of the settings file.</summary>
    public void Set(LocalConfig config)
    {
        TaskCompletionSource<LocalConfig> waiter;
        lock (gate)
        {
            current = config;
            waiter = next;
            next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Changed?.Invoke(this, config);
        waiter.TrySetResult(config);
    }
}
