using System.Globalization;

namespace Weft.Platform.Host;

/// <summary>
/// The fields of /proc/&lt;pid&gt;/stat this code base reads: state (field 3), user and system CPU time
/// (fields 14 and 15) and start time (field 22), the times in clock ticks (USER_HZ).
/// </summary>
public readonly record struct ProcStat(char State, ulong UserTicks, ulong SystemTicks, ulong StartTime)
{
    /// <summary>
    /// USER_HZ, the unit of the stat file's times: the kernel fixes it at 100 for user space on every
    /// architecture Linux runs .NET on, whatever CONFIG_HZ is.
    /// </summary>
    public const double TicksPerSecond = 100;

    public bool IsDead => State is 'Z' or 'X' or 'x';

    /// <summary>utime + stime (all the process's threads), in seconds.</summary>
    public double CpuSeconds => (UserTicks + SystemTicks) / TicksPerSecond;

    /// <summary>Reads the stat of <paramref name="pid"/>; null when the process is gone or the file is unreadable as stat.</summary>
    public static ProcStat? TryRead(string procRoot, int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path.Join(procRoot, pid.ToString(CultureInfo.InvariantCulture), "stat"));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (IOException)
        {
            // ESRCH: the process exited between open and read.
            return null;
        }

        return Parse(text);
    }

    /// <summary>Parses a stat line. The command name (field 2) may hold spaces and ')', so fields are counted after the last ')'.</summary>
    public static ProcStat? Parse(ReadOnlySpan<char> stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var rest = stat[(close + 1)..].Trim();
        char state = '\0';
        ulong user = 0, system = 0;
        var field = 3;
        foreach (var range in rest.Split(' '))
        {
            var value = rest[range];
            switch (field)
            {
                case 3 when value.Length != 1:
                    return null;
                case 3:
                    state = value[0];
                    break;
                case 14 when !TryTicks(value, out user):
                    return null;
                case 15 when !TryTicks(value, out system):
                    return null;
                case 22:
                    return TryTicks(value, out var start) ? new ProcStat(state, user, system, start) : null;
            }

            field++;
        }

        return null;
    }

    private static bool TryTicks(ReadOnlySpan<char> value, out ulong ticks) =>
        ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ticks);
}
