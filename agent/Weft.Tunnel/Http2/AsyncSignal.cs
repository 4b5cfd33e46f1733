using System.Threading.Tasks.Sources;

namespace Weft.Tunnel.Http2;

/// <summary>
/// An auto-reset event with one waiter (the write loop), awaited as a ValueTask over a reusable
/// source, so waiting and waking allocate nothing. A Set with nobody waiting is remembered, so
/// a wake-up is never lost; the waiter re-checks its work, so a stale one costs a loop turn.
/// After <see cref="Set"/> the continuation runs on the thread pool, never inside the caller (which
/// may hold a lock); <see cref="SetInline"/> runs it in the caller, for a caller that holds none.
/// </summary>
internal sealed class AsyncSignal : IValueTaskSource
{
    private readonly Lock gate = new();
    private ManualResetValueTaskSourceCore<bool> core = new() { RunContinuationsAsynchronously = true };
    private bool waiting;
    private bool set;

    public ValueTask WaitAsync()
    {
        lock (gate)
        {
            if (set)
            {
                set = false;
                return default;
            }

            core.Reset();
            core.RunContinuationsAsynchronously = true;
            waiting = true;
            return new ValueTask(this, core.Version);
        }
    }

    public void Set() => Wake(inline: false);

    /// <summary>
    /// Wakes the waiter and runs its next turn on this thread until it waits again: saves a
    /// thread-pool hop. The caller must hold no lock the waiter takes.
    /// </summary>
    public void SetInline() => Wake(inline: true);

    private void Wake(bool inline)
    {
        lock (gate)
        {
            if (!waiting)
            {
                set = true;
                return;
            }

            waiting = false;
            core.RunContinuationsAsynchronously = !inline;
        }

        core.SetResult(true);
    }

    void IValueTaskSource.GetResult(short token) => core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        core.OnCompleted(continuation, state, token, flags);
}
