using System.Runtime.InteropServices;
using Weft.Lab.Infra;

namespace Weft.Lab.Bench;

/// <summary>The machine a run was made on, as the report states it.</summary>
internal sealed record MachineInfo(string Cpu, int Cores, string Kernel, string Dotnet, string Iperf3, string Sockperf, string Stunnel)
{
    public static MachineInfo Read() => new(
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown",
        Environment.ProcessorCount,
        File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
        RuntimeInformation.FrameworkDescription,
        FirstLine("iperf3", "--version"),
        FirstLine("sockperf", "--version"),
        FirstLine("stunnel4", "-version"));

    // Tools print their version on stdout or stderr; the first non-empty line of either is enough.
    private static string FirstLine(string file, string arg)
    {
        var (_, stdout, stderr) = Command.TryRun(file, arg);
        return (stdout + "\n" + stderr).Split('\n').Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"\x1b\[[0-9;]*m", "").Trim())
            .FirstOrDefault(l => l.Length > 0 && !l.StartsWith('[')) ?? "unknown";
    }
}
