using System.Globalization;

namespace Weft.Platform.Netns;

/// <summary>The fields of /proc/&lt;pid&gt;/stat the finder needs: state (field 3) and start time (field 22, clock ticks since boot).</summary>
internal readonly record struct ProcStat(char State, ulong StartTime)
{
    public bool IsDead => State is 'Z' or 'X' or 'x';

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
        var field = 3;
        foreach (var range in rest.Split(' '))
        {
            var value = rest[range];
            if (field == 3)
            {
                if (value.Length != 1)
                {
                    return null;
                }

                state = value[0];
            }
            else if (field == 22)
            {
                return ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                    ? new ProcStat(state, start)
                    : null;
            }

            field++;
        }

        return null;
    }
}
