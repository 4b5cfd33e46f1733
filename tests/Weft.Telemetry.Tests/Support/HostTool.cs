using System.Diagnostics;

namespace Weft.Telemetry.Tests.Support;

/// <summary>Runs the host's tools (promtool) the way an operator would, independent of our code.</summary>
internal static class HostTool
{
    public const string Prometheus = "/usr/bin/prometheus";
    public const string Promtool = "/usr/bin/promtool";

    public static string Require(string tool)
    {
        Assert.True(File.Exists(tool), $"{tool} is missing: install Debian's prometheus package (`make deps` does)");
        return tool;
    }

    /// <summary>Runs <paramref name="tool"/> with <paramref name="stdin"/> as its standard input.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string tool, string stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(Require(tool))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
