using System.Collections.Concurrent;

namespace Weft.Proxy.Connections;

/// <summary>
/// The live proxied connections of the agent, so that shutdown can let them finish
/// (drain) for a while and then reset what is left.
/// </summary>
public sealed class ConnectionTracker : IDisposable
{
    private static readonly Task Placeholder = Task.CompletedTask;
    private readonly ConcurrentDictionary<long, Task> live = new();
    private readonly CancellationTokenSource abortAll = new();
    private long next;

    public int Count => live.Count;

    /// <summary>Told of an exception a connection handler let escape.</summary>
    public Action<Exception>? Unhandled { get; set; }

    /// <summary>Runs a connection handler; its token is cancelled when draining gives up.</summary>
    public void Start(Func<CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var id = Interlocked.Increment(ref next);
        live[id] = Placeholder;
        var task = RunAsync(id, handler);
        live.TryUpdate(id, task, Placeholder);
    }

    /// <summary>Waits for live connections to end, up to <paramref name="grace"/>, then resets the rest.</summary>
    public async Task DrainAsync(TimeSpan grace)
    {
        var all = Task.WhenAll(live.Values);
        if (await Task.WhenAny(all, Task.Delay(grace)).ConfigureAwait(false) != all)
        {
            await abortAll.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(Task.WhenAll(live.Values), Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        }
    }

    public void Dispose() => abortAll.Dispose();

    private async Task RunAsync(long id, Func<CancellationToken, Task> handler)
    {
        try
        {
            await handler(abortAll.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Handlers log their own failures; this only keeps a missed one from vanishing.
            Unhandled?.Invoke(e);
        }
        finally
        {
            live.TryRemove(id, out _);
        }
    }
}
