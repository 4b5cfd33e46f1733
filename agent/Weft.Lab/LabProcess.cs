using System.Diagnostics;
using System.Text;

namespace Weft.Lab;

/// <summary>
/// A process started inside a pod. Stdout is collected line by line (tests wait on lines,
/// the probe reports in JSON lines); stderr is kept whole for error messages.
/// </summary>
public sealed class LabProcess : IDisposable
{
    private readonly Process process;
    private readonly string description;
    private readonly Lock gate = new();
    private readonly List<string> lines = [];
    private readonly StringBuilder stderr = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> waiters = [];
    private bool stdoutClosed;

    internal LabProcess(Process process, string description)
    {
        this.process = process;
        this.description = description;
        Pid = process.Id;
        var readOut = ReadStdoutAsync();
        var readErr = ReadStderrAsync();
        Exited = WaitExitAsync(readOut, readErr);
    }

    public int Pid { get; }

    /// <summary>Completes with the exit code once the process has exited and both streams are drained.</summary>
    public Task<int> Exited { get; }

    public bool HasExited => Exited.IsCompleted;

    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (gate)
            {
                return [.. lines];
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (gate)
            {
                return stderr.ToString();
            }
        }
    }

    /// <summary>
    /// The first stdout line (already seen or still to come) that matches. Fails with a
    /// <see cref="TimeoutException"/> after <paramref name="timeout"/>, or at once when the
    /// process ends without printing one; both messages carry the process's stderr.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(match);
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            var seen = lines.FirstOrDefault(match);
            if (seen is not null)
            {
                return seen;
            }

            if (stdoutClosed)
            {
                throw EndedWithout();
            }

            waiters.Add((match, done));
        }

        try
        {
            return await done.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            lock (gate)
            {
                waiters.RemoveAll(w => w.Done == done);
            }

            throw new TimeoutException($"{description}: no matching stdout line within {timeout.TotalSeconds:0.#} s; stderr: {Stderr.Trim()}; last stdout lines:\n{LastLines(5)}");
        }
    }

    /// <summary>
    /// The last <paramref name="count"/> stdout lines after the first <paramref name="skip"/>, for
    /// failure messages: what the process was doing when it was given up on.
    /// </summary>
    public string LastLines(int count, int skip = 0)
    {
        lock (gate)
        {
            return string.Join('\n', lines.Skip(Math.Max(skip, lines.Count - count)));
        }
    }

    /// <summary>Kills the process (and anything it started); harmless once it has exited.</summary>
    public void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Exited in between.
        }
    }

    public void Dispose()
    {
        Kill();
        Exited.Wait(TimeSpan.FromSeconds(5));
        process.Dispose();
    }

    public override string ToString() => $"{description} (pid {Pid})";

    /// <summary>Stdin is not used; closing it stops tools that would wait on it.</summary>
    internal void CloseInput() => process.StandardInput.Close();

    private async Task ReadStdoutAsync()
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                List<(TaskCompletionSource<string> Done, Exception? Error)> settled = [];
                lock (gate)
                {
                    lines.Add(line);
                    foreach (var w in waiters.ToList())
                    {
                        // A throwing predicate fails its own waiter, not the reader of everyone's lines.
                        Exception? error = null;
                        try
                        {
                            if (!w.Match(line))
                            {
                                continue;
                            }
                        }
                        catch (Exception e)
                        {
                            error = e;
                        }

                        waiters.Remove(w);
                        settled.Add((w.Done, error));
                    }
                }

                settled.ForEach(s => _ = s.Error is null ? s.Done.TrySetResult(line) : s.Done.TrySetException(s.Error));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe went away with the process; what was read is kept.
        }
    }

    private async Task ReadStderrAsync()
    {
        var buffer = new char[4096];
        try
        {
            int n;
            while ((n = await process.StandardError.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                lock (gate)
                {
                    stderr.Append(buffer, 0, n);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // As for stdout.
        }
    }

    private async Task<int> WaitExitAsync(Task readOut, Task readErr)
    {
        await Task.WhenAll(readOut, readErr).ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        List<TaskCompletionSource<string>> orphaned;
        lock (gate)
        {
            stdoutClosed = true;
            orphaned = [.. waiters.Select(w => w.Done)];
            waiters.Clear();
        }

        var error = EndedWithout();
        orphaned.ForEach(o => o.TrySetException(error));
        return process.ExitCode;
    }

    private InvalidOperationException EndedWithout()
    {
        var code = process.HasExited ? process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";
        return new InvalidOperationException($"{description} ended (exit code {code}) without printing a matching line; stderr: {Stderr.Trim()}");
    }
}
