namespace Weft.Identity.Tests;

/// <summary>
/// Another clock's time and timers, recording every timer's due time. With <c>systemLimits</c> it refuses due
/// times that System.Threading timers refuse (over 0xfffffffe ms, about 49.7 days), so a fake clock fails where
/// the real one would.
/// </summary>
internal sealed class RecordingTimeProvider(TimeProvider inner, bool systemLimits = false) : TimeProvider
{
    public static readonly TimeSpan SystemTimerLimit = TimeSpan.FromMilliseconds(0xfffffffe);

    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _dueTimes = [];

    public IReadOnlyList<TimeSpan> DueTimes
    {
        get
        {
            lock (_gate)
            {
                return [.. _dueTimes];
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (systemLimits)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(dueTime, SystemTimerLimit);
        }

        lock (_gate)
        {
            _dueTimes.Add(dueTime);
        }

        return inner.CreateTimer(callback, state, dueTime, period);
    }
}
