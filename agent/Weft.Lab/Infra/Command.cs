using System.Diagnostics;

namespace Weft.Lab.Infra;

/// <summary>Runs short tools (ip, nsenter) with an argument list, never a shell string.</summary>
internal static class Command
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs the command and returns its stdout; throws with command and stderr on a non-zero exit.</summary>
    public static string Run(string file, params string[] args)
    {
        var (code, stdout, stderr) = TryRun(file, args);
        if (code != 0)
        {
            throw new LabCommandException($"`{Format(file, args)}` exited with {code}: {stderr.Trim()}");
        }

        return stdout;
    }

    public static (int Code, string Stdout, string Stderr) TryRun(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Start(psi, file, args);
        p.StandardInput.Close();
        // Both streams are read concurrently so a chatty stderr cannot block the child.
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(Timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new LabCommandException($"`{Format(file, args)}` did not finish within {Timeout.TotalSeconds} s");
        }

        p.WaitForExit();
        return (p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    public static Process Start(ProcessStartInfo psi, string file, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(psi);
        try
        {
            return Process.Start(psi) ?? throw new LabCommandException($"`{Format(file, args)}` did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LabCommandException($"`{Format(file, args)}` could not start: {e.Message}", e);
        }
    }

    public static string Format(string file, IEnumerable<string> args) =>
        string.Join(' ', args.Prepend(file).Select(a => a.Length == 0 || a.Any(char.IsWhiteSpace) ? $"'{a}'" : a));
}
