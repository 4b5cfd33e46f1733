namespace Weft.Lab.Infra;

/// <summary>Identifies a process by pid and start time, which together survive pid reuse.</summary>
internal static class OwnerProcess
{
    public static int CurrentPid => Environment.ProcessId;

    public static long StartTime(int pid) => Read(pid)?.StartTime ?? -1;

    /// <summary>
    /// Alive means: exists, is not a zombie (a killed owner stays one until its parent reaps it,
    /// and will never dispose anything), and started when the record says.
    /// </summary>
    public static bool IsAlive(int pid, long startTime)
    {
        if (pid <= 0 || Read(pid) is not { } stat || stat.State is 'Z' or 'X')
        {
            return false;
        }

        return startTime <= 0 || stat.StartTime == startTime;
    }

    private static (char State, long StartTime)? Read(int pid)
    {
        try
        {
            return Weft.Platform.Host.ProcStat.TryRead("/proc", pid) is { } stat ? (stat.State, (long)stat.StartTime) : null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
