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
        FirstLine("iperf3", "--version", "iperf 3"),
        FirstLine("sockperf", "--version", "sockperf"),
        FirstLine("stunnel4", "-version", "stunnel 5"));

    // Tools print their version on stdout or stderr among other lines: the first that names the tool.
    private static string FirstLine(string file, string arg, string name)
    {
        var (_, stdout, stderr) = Command.TryRun(file, arg);
        return (stdout + "\n" + stderr).Split('\n').Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"\x1b\[[0-9;]*m", "").Trim())
            .FirstOrDefault(l => l.Contains(name, StringComparison.Ordinal)) ?? $"{file}: version unknown";
    }
}
