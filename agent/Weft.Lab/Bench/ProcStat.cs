using System.Globalization;

namespace Weft.Lab.Bench;

/// <summary>CPU time and resident memory of processes, read from /proc as `ps` would.</summary>
internal static class ProcStat
{
    // USER_HZ: the unit of /proc/<pid>/stat times. The kernel fixes it at 100 for user space on
    // every architecture Linux runs .NET on, whatever CONFIG_HZ is.
    private const double TicksPerSecond = 100;

    /// <summary>utime + stime of the process (all its threads), in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state), so utime (field 14) and stime (field 15) are 11 and 12.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / TicksPerSecond;
    }

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
