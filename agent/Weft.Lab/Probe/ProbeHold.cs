using System.Net.Sockets;
using Weft.Lab.Infra;

namespace Weft.Lab.Probe;

/// <summary>
/// `probe hold`: opens N connections, sends 1 byte on each (so every hop of the path is set up),
/// reports, then keeps them open and idle until the process is killed. For memory per idle connection.
/// </summary>
internal static class ProbeHold
{
    private const int OpenConcurrency = 16;

    public static async Task<int> RunAsync(HoldOptions o)
    {
        var sockets = new List<Socket>(o.Connections);
        var failures = 0;
        string? firstError = null;
        using var opening = new SemaphoreSlim(OpenConcurrency);
        using var cts = new CancellationTokenSource(o.Timeout);

        async Task OpenAsync()
        {
            await opening.WaitAsync(cts.Token).ConfigureAwait(false);
            var s = new Socket(o.To.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await s.ConnectAsync(o.To, cts.Token).ConfigureAwait(false);
                await s.SendAsync(new byte[] { (byte)'x' }, SocketFlags.None, cts.Token).ConfigureAwait(false);
                lock (sockets)
                {
                    sockets.Add(s);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                s.Dispose();
                Interlocked.Increment(ref failures);
                Interlocked.CompareExchange(ref firstError, e.Message, null);
            }
            finally
            {
                opening.Release();
            }
        }

        await Task.WhenAll(Enumerable.Range(0, o.Connections).Select(_ => OpenAsync())).ConfigureAwait(false);
        JsonLines.Write(new HoldEvent("held", sockets.Count, failures, firstError), LabJsonContext.Default.HoldEvent);

        // Idle until killed: the connections must stay open while the lab reads memory figures.
        await Task.Delay(Timeout.Infinite).ConfigureAwait(false);
        GC.KeepAlive(sockets);
        return 0;
    }
}
