using System.Diagnostics;
using System.Net.Sockets;
using Weft.Lab.Infra;

namespace Weft.Lab.Probe;

/// <summary>
/// `probe rate`: N short connections, C at a time, each one connect, 1 byte out, half-close, the
/// server's reply read to EOF, close. Measures how fast connections can be set up and torn down;
/// the clock starts after the runtime is up, so process start-up is not counted.
/// </summary>
internal static class ProbeRate
{
    public static async Task<int> RunAsync(RateOptions o)
    {
        using var cts = new CancellationTokenSource(o.Timeout);
        var next = 0;
        var failures = 0;
        string? firstError = null;
        var clock = Stopwatch.StartNew();

        async Task WorkerAsync()
        {
            var buffer = new byte[4096];
            while (Interlocked.Increment(ref next) <= o.Connections)
            {
                var error = await OneAsync(o, buffer, cts.Token).ConfigureAwait(false);
                if (error is not null)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, o.Concurrency).Select(_ => Task.Run(WorkerAsync))).ConfigureAwait(false);
        var result = new RateResult(failures == 0, o.Connections, failures, clock.Elapsed.TotalMilliseconds, firstError);
        JsonLines.Write(result, LabJsonContext.Default.RateResult);
        return result.Ok ? 0 : 1;
    }

    private static async Task<string?> OneAsync(RateOptions o, byte[] buffer, CancellationToken ct)
    {
        try
        {
            using var s = new Socket(o.To.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await s.ConnectAsync(o.To, ct).ConfigureAwait(false);
            await s.SendAsync(new byte[] { (byte)'x' }, SocketFlags.None, ct).ConfigureAwait(false);
            s.Shutdown(SocketShutdown.Send);
            long received = 0;
            int n;
            while ((n = await s.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false)) > 0)
            {
                received += n;
            }

            // `probe serve` answers every connection with its digest line; nothing back means the path broke.
            return received > 0 ? null : "connection closed without a reply";
        }
        catch (OperationCanceledException)
        {
            return $"timeout after {o.Timeout.TotalMilliseconds} ms";
        }
        catch (SocketException e)
        {
            return $"{e.SocketErrorCode}: {e.Message}";
        }
    }
}
