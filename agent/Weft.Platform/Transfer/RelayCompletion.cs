using System.Threading.Tasks.Sources;

namespace Weft.Platform.Transfer;

/// <summary>
/// The awaitable end of a two-direction relay, and its state. A relay lives as long as its
/// connection, idle or not, so the caller awaits this object itself (no async frame and no
/// <c>Task.WhenAll</c> per connection): the second direction to finish completes it.
/// </summary>
public abstract class RelayCompletion<TResult> : IValueTaskSource<TResult>
{
    private ManualResetValueTaskSourceCore<TResult> result;
    private int running = 2;
    private int aborted;
    private Exception? unexpected;

    /// <summary>The first error that ended the relay, as the access log names it; null for a clean end.</summary>
    public string? Error { get; private set; }

    /// <summary>Set once, right after the direction loops start; disposed when both have ended.</summary>
    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>What the caller awaits.</summary>
    public ValueTask<TResult> Completion => new(this, result.Version);

    /// <summary>A peer's failure or a cancellation: records the first error and resets both sides once.</summary>
    public void Abort(Exception e)
    {
        if (Interlocked.Exchange(ref aborted, 1) != 0)
        {
            return;
        }

        Error = Describe(e);
        ResetBothSides();
    }

    /// <summary>A fault of ours (not the peers'): both sides are reset and the caller sees it thrown.</summary>
    public void Fail(Exception e)
    {
        Interlocked.CompareExchange(ref unexpected, e, null);
        Abort(e);
    }

    /// <summary>
    /// Called by each direction loop as it ends; the second completes the relay, once a
    /// cancellation callback in flight has returned (so it cannot touch sockets after the caller
    /// disposes them).
    /// </summary>
    public async Task DirectionDoneAsync()
    {
        if (Interlocked.Decrement(ref running) != 0)
        {
            return;
        }

        await Registration.DisposeAsync().ConfigureAwait(false);
        if (unexpected is not null)
        {
            result.SetException(unexpected);
        }
        else
        {
            result.SetResult(CreateResult());
        }
    }

    /// <summary>Ends both sides abruptly (TCP RST, RST_STREAM), so neither peer waits for a FIN that will not come.</summary>
    protected abstract void ResetBothSides();

    /// <summary>The result, made once both directions have ended.</summary>
    protected abstract TResult CreateResult();

    private static string Describe(Exception e) =>
        e is System.Net.Sockets.SocketException se ? se.SocketErrorCode.ToString() : e.GetType().Name;

    TResult IValueTaskSource<TResult>.GetResult(short token) => result.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<TResult>.GetStatus(short token) => result.GetStatus(token);

    void IValueTaskSource<TResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        result.OnCompleted(continuation, state, token, flags);
}
