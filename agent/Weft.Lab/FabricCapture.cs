using System.Diagnostics;
using Weft.Lab.Infra;

namespace Weft.Lab;

/// <summary>
/// A packet capture (dumpcap, which writes the file itself and flushes it when interrupted;
/// read back with dumpcap) on the lab's bridge: everything that crosses between pods, as a
/// wire-level observer would see it. Used to show what the mesh puts on the network.
/// </summary>
public sealed class FabricCapture : IDisposable
{
    private readonly Process dumpcap;
    private bool stopped;

    private FabricCapture(Process dumpcap, string path)
    {
        this.dumpcap = dumpcap;
        PcapPath = path;
    }

    /// <summary>tshark's decode-as rule for HBONE: TLS on port 15008, which tshark does not know.</summary>
    public const string HboneDecode = "tcp.port==15008,tls";

    public string PcapPath { get; }

    private static readonly TimeSpan BlockRetireWait = TimeSpan.FromSeconds(1);

    /// <summary>Starts capturing with a BPF capture filter (e.g. "tcp"); returns once dumpcap is capturing.</summary>
    public static async Task<FabricCapture> StartAsync(Lab lab, string filter = "tcp")
    {
        ArgumentNullException.ThrowIfNull(lab);
        var path = Path.Combine(Path.GetTempPath(), $"weft-{lab.Id}-{Guid.NewGuid():N}.pcapng");
        var psi = new ProcessStartInfo("nsenter") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { $"--net={LabNames.NetnsPath(lab.FabricNetns)}", "--", "dumpcap", "-q", "-i", Fabric.Bridge, "-f", filter, "-w", path })
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi) ?? throw new LabCommandException("cannot start dumpcap");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new LabCommandException($"dumpcap ended before capturing: {errors}"));
                return;
            }

            errors.AppendLine(e.Data);
            if (e.Data.Contains("Capturing on", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }

        return new FabricCapture(process, path);
    }

    /// <summary>Stops the capture (SIGINT, so dumpcap writes everything out) and returns the file.</summary>
    public async Task<string> StopAsync()
    {
        if (!stopped)
        {
            stopped = true;

            // libpcap hands packets to dumpcap in blocks (TPACKET_V3) that the kernel retires when
            // full or on a timeout; SIGINT right after the traffic loses the block still open.
            await Task.Delay(BlockRetireWait).ConfigureAwait(false);
            _ = NativeMethods.Signal(dumpcap.Id, 2);
            await dumpcap.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        }

        return PcapPath;
    }

    /// <summary>Rows of `tshark -r FILE -Y displayFilter -T fields -e …`.</summary>
    public IReadOnlyList<string[]> Fields(string displayFilter, params string[] fields) => DecodedFields(null, displayFilter, fields);

    /// <summary>
    /// Like <see cref="Fields(string, string[])"/>, with a tshark decode-as rule first, e.g.
    /// "tcp.port==15008,tls" to dissect HBONE as TLS (tshark knows no protocol on that port).
    /// </summary>
    public IReadOnlyList<string[]> DecodedFields(string? decodeAs, string displayFilter, params string[] fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        List<string> args = ["-r", PcapPath, "-n", "-Y", displayFilter, "-T", "fields", "-E", "separator=|"];
        if (decodeAs is not null)
        {
            args.AddRange(["-d", decodeAs]);
        }

        foreach (var f in fields)
        {
            args.AddRange(["-e", f]);
        }

        return [.. Command.Run("tshark", [.. args]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|'))];
    }

    /// <summary>True if these bytes appear anywhere in the captured packets (payloads included).</summary>
    public bool Contains(ReadOnlySpan<byte> marker) => File.ReadAllBytes(PcapPath).AsSpan().IndexOf(marker) >= 0;

    public void Dispose()
    {
        if (!dumpcap.HasExited)
        {
            dumpcap.Kill();
        }

        dumpcap.Dispose();
        File.Delete(PcapPath);
    }
}
