using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Weft.Platform.Netns;

/// <summary>
/// Runs short pieces of work (creating a socket, mostly) inside a pod's network namespace.
/// setns changes the calling thread only, so the work runs on one dedicated thread that
/// enters the namespace, runs it and returns to the agent's own namespace — never on a
/// thread-pool thread, which would carry the wrong namespace into unrelated work.
/// A socket keeps the namespace it was created in, so it can be used from any thread after.
/// </summary>
public sealed class NetnsExecutor : IDisposable
{
    private readonly BlockingCollection<Action> queue = new();
    private readonly Thread thread;
    private readonly NetworkNamespace home;
    private int disposed;

    public NetnsExecutor()
    {
        home = NetworkNamespace.Open("/proc/thread-self/ns/net");
        thread = new Thread(Run, maxStackSize: 256 * 1024) { IsBackground = true, Name = "weft-netns" };
        thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> inside <paramref name="ns"/> and returns its result.</summary>
    public Task<T> RunAsync<T>(NetworkNamespace ns, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(work);
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Hold the namespace's descriptor until the work has run: otherwise a pod released
        // meanwhile could close it, and the number be reused for another pod's namespace.
        var added = false;
        ns.Handle.DangerousAddRef(ref added);
        try
        {
            queue.Add(() => Run(ns, work, tcs));
        }
        catch
        {
            ns.Handle.DangerousRelease();
            throw;
        }

        return tcs.Task;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        queue.CompleteAdding();
        if (thread.Join(TimeSpan.FromSeconds(5)))
        {
            queue.Dispose();
            home.Dispose();
        }
    }

    private void Run<T>(NetworkNamespace ns, Func<T> work, TaskCompletionSource<T> tcs)
    {
        try
        {
            try
            {
                Enter(ns);
            }
            catch (Exception e)
            {
                tcs.SetException(e);
                return;
            }

            try
            {
                tcs.SetResult(work());
            }
            catch (Exception e)
            {
                tcs.SetException(e);
            }
            finally
            {
                // A thread stranded in a pod's namespace would create the next pod's
                // sockets in the wrong place; better to stop the agent than to do that.
                try
                {
                    Enter(home);
                }
                catch (Exception e)
                {
                    Environment.FailFast("weft: cannot return to the agent's network namespace", e);
                }
            }
        }
        finally
        {
            ns.Handle.DangerousRelease();
        }
    }

    private static unsafe void Enter(NetworkNamespace ns)
    {
        if (LibC.setns((int)ns.Handle.DangerousGetHandle(), LibC.CLONE_NEWNET) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new NetnsException($"setns into {ns.Path} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
    }

    private void Run()
    {
        foreach (var work in queue.GetConsumingEnumerable())
        {
            work();
        }
    }
}
