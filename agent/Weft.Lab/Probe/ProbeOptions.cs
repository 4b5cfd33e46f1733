using System.Globalization;
using System.Net;

namespace Weft.Lab.Probe;

internal sealed record ServeOptions(IReadOnlyList<int> Ports, long ReplyBytes);

/// <summary>Text, when set, is repeated as the payload instead of random bytes (so a capture can look for it).</summary>
/// Pace, when set, waits that long after each chunk, so one connection stays open for a while (policy and rotation tests).
internal sealed record SendOptions(IPEndPoint To, long Bytes, long ExpectReply, int Parallel, TimeSpan Timeout, string? Text = null, TimeSpan Pace = default);

/// <summary>`probe rate`: Connections short connections, Concurrency at a time.</summary>
internal sealed record RateOptions(IPEndPoint To, int Connections, int Concurrency, TimeSpan Timeout);

/// <summary>`probe hold`: Connections kept open; Timeout bounds only the opening.</summary>
internal sealed record HoldOptions(IPEndPoint To, int Connections, TimeSpan Timeout);

/// <summary>Parses `probe serve|send|rate|hold` flags; a bad flag is a <see cref="FormatException"/> naming it.</summary>
internal static class ProbeOptions
{
    public static ServeOptions ParseServe(IReadOnlyList<string> args)
    {
        List<int> ports = [];
        long reply = 0;
        ForEachFlag(args, (flag, value) =>
        {
            switch (flag)
            {
                case "--port": ports.Add((int)Number(flag, value, 0, 65535)); break;
                case "--reply-bytes": reply = Number(flag, value, 0, long.MaxValue); break;
                default: throw new FormatException($"unknown flag {flag} for serve");
            }
        });
        return ports.Count > 0 ? new ServeOptions(ports, reply) : throw new FormatException("serve needs --port");
    }

    public static SendOptions ParseSend(IReadOnlyList<string> args)
    {
        IPEndPoint? to = null;
        long bytes = -1, reply = 0, parallel = 1, timeoutMs = 30_000, paceMs = 0;
        string? text = null;
        ForEachFlag(args, (flag, value) =>
        {
            switch (flag)
            {
                case "--to":
                    to = IPEndPoint.TryParse(value, out var ep) && ep.Port != 0 ? ep : throw new FormatException($"--to: '{value}' is not ip:port");
                    break;
                case "--bytes": bytes = Number(flag, value, 0, long.MaxValue); break;
                case "--expect-reply": reply = Number(flag, value, 0, long.MaxValue); break;
                case "--parallel": parallel = Number(flag, value, 1, 100_000); break;
                case "--timeout-ms": timeoutMs = Number(flag, value, 1, int.MaxValue); break;
                case "--pace-ms": paceMs = Number(flag, value, 0, 60_000); break;
                case "--text": text = value.Length > 0 ? value : throw new FormatException("--text needs a non-empty string"); break;
                default: throw new FormatException($"unknown flag {flag} for send");
            }
        });
        if (to is null || bytes < 0)
        {
            throw new FormatException("send needs --to ip:port and --bytes N");
        }

        return new SendOptions(to, bytes, reply, (int)parallel, TimeSpan.FromMilliseconds(timeoutMs), text, TimeSpan.FromMilliseconds(paceMs));
    }

    public static RateOptions ParseRate(IReadOnlyList<string> args)
    {
        var (to, connections, concurrency, timeout) = ParseMany(args, "rate");
        return new RateOptions(to, connections, concurrency, timeout);
    }

    public static HoldOptions ParseHold(IReadOnlyList<string> args)
    {
        var (to, connections, _, timeout) = ParseMany(args, "hold");
        return new HoldOptions(to, connections, timeout);
    }

    /// <summary>The flags rate and hold share: --to, --connections, --concurrency, --timeout-ms.</summary>
    private static (IPEndPoint To, int Connections, int Concurrency, TimeSpan Timeout) ParseMany(IReadOnlyList<string> args, string mode)
    {
        IPEndPoint? to = null;
        long connections = 0, concurrency = 1, timeoutMs = 60_000;
        ForEachFlag(args, (flag, value) =>
        {
            switch (flag)
            {
                case "--to":
                    to = IPEndPoint.TryParse(value, out var ep) && ep.Port != 0 ? ep : throw new FormatException($"--to: '{value}' is not ip:port");
                    break;
                case "--connections": connections = Number(flag, value, 1, 1_000_000); break;
                case "--concurrency": concurrency = Number(flag, value, 1, 1024); break;
                case "--timeout-ms": timeoutMs = Number(flag, value, 1, int.MaxValue); break;
                default: throw new FormatException($"unknown flag {flag} for {mode}");
            }
        });
        return to is null || connections == 0
            ? throw new FormatException($"{mode} needs --to ip:port and --connections N")
            : (to, (int)connections, (int)concurrency, TimeSpan.FromMilliseconds(timeoutMs));
    }

    private static void ForEachFlag(IReadOnlyList<string> args, Action<string, string> apply)
    {
        for (var i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
            {
                throw new FormatException($"{args[i]} needs a value");
            }

            apply(args[i], args[i + 1]);
        }
    }

    private static long Number(string flag, string value, long min, long max) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException($"{flag}: '{value}' is not a number in [{min}, {max}]");
}
