using System.Threading.Tasks.Sources;

namespace Weft.Tunnel.Http2;

/// <summary>
/// The completion of one pending operation at a time (a stream's read, or its write), awaited
/// as a ValueTask over this reusable source: waiting allocates nothing. Whether an operation
/// is pending, and so who may complete it, is the owner's state, kept under the owner's lock.
/// Continuations run on the thread pool, never inside the completer (which may hold a lock),
/// unless the completer says otherwise (<see cref="SetResultInline"/>).
/// </summary>
internal sealed class ReusableValueTaskSource<T> : IValueTaskSource<T>, IValueTaskSource
{
    private ManualResetValueTaskSourceCore<T> core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration registration;

    /// <summary>Readies the source for the next operation; returns the token its ValueTask carries.</summary>
    public short Reset()
    {
        core.Reset();
        core.RunContinuationsAsynchronously = true;
        return core.Version;
    }

    /// <summary>Calls <paramref name="onCancel"/> if the token fires while the operation is pending.</summary>
    public void CancelOn(Action<object?> onCancel, object state, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            registration = cancellationToken.UnsafeRegister(onCancel, state);
        }
    }

    public void SetResult(T result) => core.SetResult(result);

    /// <summary>
    /// Completes and runs the waiter's continuation on this thread, saving a thread-pool hop per
    /// completion (on the data path that hop is a good part of the latency). Only for a completer
    /// that holds no lock and can afford to run the waiter's next step (for the relay: one send).
    /// </summary>
    public void SetResultInline(T result)
    {
        core.RunContinuationsAsynchronously = false;
        core.SetResult(result);
    }

    public void SetException(Exception error) => core.SetException(error);

    public T GetResult(short token)
    {
        // Disposing waits for a cancellation callback already running, so none can reach the next operation.
        registration.Dispose();
        registration = default;
        return core.GetResult(token);
    }

    void IValueTaskSource.GetResult(short token) => GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        core.OnCompleted(continuation, state, token, flags);
}
