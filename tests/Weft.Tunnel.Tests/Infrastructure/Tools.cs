using System.Diagnostics;

namespace Weft.Tunnel.Tests.Infrastructure;

/// <summary>
/// A fact that needs outside tools (python3-h2, nghttp, openssl). Without them it is skipped on a
/// developer machine; under CI=true it runs and fails, naming the package: CI never passes by skipping.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool)
    {
        if (Tools.Missing(tool) is { } missing && !Tools.InCi)
        {
            Skip = $"{missing}; under CI=true this fails instead";
        }
    }
}

internal static class Tools
{
    public const string PythonH2 = "python3-h2";
    public const string Nghttp = "nghttp2-client";
    public const string Python = "/usr/bin/python3";
    public const string NghttpPath = "/usr/bin/nghttp";
    public const string OpenSsl = "openssl";
    public const string OpenSslPath = "/usr/bin/openssl";

    public static bool InCi => Environment.GetEnvironmentVariable("CI") == "true";

    /// <summary>Why <paramref name="tool"/> cannot be used, or null when it can.</summary>
    public static string? Missing(string tool) => tool switch
    {
        // The Debian interpreter explicitly: a pyenv python3 on PATH would not see Debian's h2.
        PythonH2 when !File.Exists(Python) || !File.Exists("/usr/lib/python3/dist-packages/h2/__init__.py") =>
            "needs Debian's python3-h2 (apt-get install -y python3-h2, or tools/ensure-deps.sh)",
        Nghttp when !File.Exists(NghttpPath) => "needs nghttp (apt-get install -y nghttp2-client, or tools/ensure-deps.sh)",
        OpenSsl when !File.Exists(OpenSslPath) => "needs the openssl command (apt-get install -y openssl, or tools/ensure-deps.sh)",
        _ => null,
    };

    public static void Require(string tool)
    {
        if (Missing(tool) is { } why)
        {
            Assert.Fail(why);
        }
    }

    public static string InteropScript(string name) => Path.Combine(AppContext.BaseDirectory, "Interop", name);

    /// <summary>Starts a process with stdout and stderr captured.</summary>
    public static Process Start(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
    }

    /// <summary>Runs to completion within <paramref name="timeout"/>; returns exit code and output.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        using var p = Start(file, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}: {await stderr}");
        }

        return (p.ExitCode, await stdout, await stderr);
    }
}
