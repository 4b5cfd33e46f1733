using System.Globalization;
using System.Net;
using Weft.Lab.Infra;

namespace Weft.Lab.Bench;

/// <summary>Servers started inside pods, and what `ss` in a pod's netns says about their sockets.</summary>
internal static class PodTools
{
    private static readonly TimeSpan ListenTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Starts a server in the pod and returns once something listens on the port there.</summary>
    public static async Task<LabProcess> StartListeningAsync(LabPod pod, int port, string file, params string[] args)
    {
        var server = pod.Start(file, args);
        var deadline = DateTime.UtcNow + ListenTimeout;
        // Not every tool says it listens on stdout unbuffered (iperf3, sockperf); the socket table does.
        while (Ss(pod, "-Hltn", $"sport = :{port}").Length == 0)
        {
            if (server.HasExited || DateTime.UtcNow > deadline)
            {
                server.Dispose();
                throw new LabCommandException($"{server} does not listen on {port} in {pod}; stderr: {server.Stderr.Trim()}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return server;
    }

    /// <summary>Established TCP connections in the pod whose local port is <paramref name="port"/>.</summary>
    public static int EstablishedTo(LabPod pod, int port) =>
        Ss(pod, "-Htn", "state", "established", $"sport = :{port}").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>Waits until the count of established connections to the port satisfies <paramref name="done"/>.</summary>
    public static async Task<int> WaitEstablishedAsync(LabPod pod, int port, Func<int, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        int n;
        while (!done(n = EstablishedTo(pod, port)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100).ConfigureAwait(false);
        }

        return n;
    }

    /// <summary>Runs a client to completion in the pod; its stdout and stderr, or a failure naming both.</summary>
    public static async Task<(string Stdout, string Stderr)> RunAsync(LabPod pod, TimeSpan timeout, string file, params string[] args)
    {
        using var p = pod.Start(file, args);
        int code;
        try
        {
            code = await p.Exited.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{p} did not finish within {timeout.TotalSeconds} s; stderr: {p.Stderr.Trim()}");
        }

        var stdout = string.Join('\n', p.StdoutLines);
        return code == 0 ? (stdout, p.Stderr) : throw new LabCommandException($"{p} exited with {code}: {p.Stderr.Trim()} {Tail(stdout)}");
    }

    public static string Endpoint(IPAddress address, int port) => new IPEndPoint(address, port).ToString();

    public static string Num(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ss(LabPod pod, params string[] args) => Command.Run("nsenter", [$"--net={pod.NetnsPath}", "--", "ss", .. args]).Trim();

    private static string Tail(string s) => s.Length <= 400 ? s : s[^400..];
}
