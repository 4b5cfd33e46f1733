using System.Globalization;

namespace Weft.Workloads;

/// <summary>Kubernetes-style durations with one unit (24h, 90m, 10s), the form every duration in the config takes.</summary>
internal static class DurationSyntax
{
    /// <summary>Parses a whole number followed by h, m or s; false for anything else, including values beyond <see cref="TimeSpan"/>'s range.</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        if (text.Length < 2 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return false;
        }

        long unit = text[^1] switch
        {
            'h' => TimeSpan.TicksPerHour,
            'm' => TimeSpan.TicksPerMinute,
            's' => TimeSpan.TicksPerSecond,
            _ => 0,
        };

        // Checked here, not left to TimeSpan: "9999999999h" must be a config error, not an OverflowException.
        if (unit == 0 || count > long.MaxValue / unit)
        {
            return false;
        }

        value = TimeSpan.FromTicks(count * unit);
        return true;
    }

    /// <summary>Writes a bound for an error message in the largest unit that is exact: 1s, 1m, 1h, 366 days.</summary>
    public static string Format(TimeSpan value) => value.Ticks switch
    {
        var t when t > TimeSpan.TicksPerDay && t % TimeSpan.TicksPerDay == 0 => $"{t / TimeSpan.TicksPerDay} days",
        var t when t % TimeSpan.TicksPerHour == 0 => $"{t / TimeSpan.TicksPerHour}h",
        var t when t % TimeSpan.TicksPerMinute == 0 => $"{t / TimeSpan.TicksPerMinute}m",
        var t => $"{t / TimeSpan.TicksPerSecond}s",
    };
}
