using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Weft.Capture.Libbpf;

/// <summary>
/// Routes libbpf's diagnostics (verifier logs above all) into our logging and keeps the
/// last lines, so a failed load can say why in its exception.
/// </summary>
internal static unsafe partial class LibbpfLog
{
    private const int Keep = 60;
    private static readonly Queue<string> RecentLines = new();
    private static ILogger? logger;

    public static void Install(ILogger log)
    {
        logger = log;

        // The callback receives a va_list; on x86-64 that is a pointer we can hand to
        // vsnprintf. Elsewhere the ABI differs, so libbpf keeps printing to stderr.
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            LibbpfNative.libbpf_set_print(&Print);
        }
    }

    /// <summary>Forgets earlier lines, so a failure reports only what its own call said.</summary>
    public static void Clear() => Recent();

    public static string Recent()
    {
        lock (RecentLines)
        {
            var s = string.Join(Environment.NewLine, RecentLines);
            RecentLines.Clear();
            return s;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Print(int level, byte* format, nint args)
    {
        const int size = 2048;
        var buffer = stackalloc byte[size];
        var n = LibbpfNative.vsnprintf(buffer, size, format, args);
        if (n <= 0)
        {
            return 0;
        }

        var line = Encoding.UTF8.GetString(buffer, Math.Min(n, size - 1)).TrimEnd('\n');
        lock (RecentLines)
        {
            RecentLines.Enqueue(line);
            while (RecentLines.Count > Keep)
            {
                RecentLines.Dequeue();
            }
        }

        // libbpf levels: 0 warn, 1 info, 2 debug.
        if (logger is { } log)
        {
            LogLibbpf(log, level == 0 ? LogLevel.Warning : LogLevel.Debug, line);
        }

        return n;
    }

    [LoggerMessage(EventId = 1100, Message = "libbpf: {Line}")]
    private static partial void LogLibbpf(ILogger logger, LogLevel level, string line);
}
