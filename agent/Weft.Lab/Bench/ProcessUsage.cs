using System.Globalization;

namespace Weft.Lab.Bench;

/// <summary>CPU time and resident memory of processes, read from /proc as `ps` would.</summary>
internal static class ProcessUsage
{
    /// <summary>utime + stime of the process (all its threads), in seconds.</summary>
    public static double CpuSeconds(int pid) =>
        Weft.Platform.Host.ProcStat.TryRead("/proc", pid)?.CpuSeconds
            ?? throw new InvalidOperationException($"/proc/{pid}/stat cannot be read: the process is gone");

    public static double CpuSeconds(IEnumerable<int> pids) => pids.Sum(CpuSeconds);

    /// <summary>VmRSS of the process, in KiB.</summary>
    public static long RssKib(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no VmRSS (a kernel thread or a zombie?)");
    }
}
