using System.Diagnostics;
using System.Globalization;
using System.Net;
using Weft.Lab.Infra;

namespace Weft.Lab;

/// <summary>A simulated pod: a network namespace with eth0 on the lab fabric, and a cgroup (or kubelet's tree of them) below its node's.</summary>
public sealed class LabPod
{
    // Writes its own pid into the cgroup first, then enters the netns: a process is thus
    // never in the pod's netns without also being in its cgroup (where capture attaches).
    /// <summary>Moves the shell into the cgroup given as $1, then execs the rest of its arguments.</summary>
    internal const string EnterCgroupScript = "echo $$ > \"$1/cgroup.procs\" && shift && exec \"$@\"";

    private static readonly TimeSpan EnterTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    internal LabPod(LabNode node, string name, IPAddress address, IPAddress? address6, string netnsName, KubeletPodCgroup? kubelet)
    {
        Node = node;
        Name = name;
        Address = address;
        Address6 = address6;
        NetnsName = netnsName;
        Kubelet = kubelet;
        PodCgroupPath = Path.Combine(node.CgroupPath, kubelet?.PodCgroup ?? name);
        CgroupPath = kubelet is null ? PodCgroupPath : Path.Combine(node.CgroupPath, kubelet.ContainerCgroup);
        SandboxCgroupPath = kubelet is null ? PodCgroupPath : Path.Combine(node.CgroupPath, kubelet.SandboxCgroup);
    }

    public string Name { get; }

    public LabNode Node { get; }

    public IPAddress Address { get; }

    /// <summary>fd00:77::N on eth0 (N = low 16 bits of <see cref="Address"/>), or null if the kernel has no IPv6.</summary>
    public IPAddress? Address6 { get; }

    public string NetnsName { get; }

    public string NetnsPath => LabNames.NetnsPath(NetnsName);

    /// <summary>How the pod's cgroups are laid out as kubelet's, or null for the plain &lt;node cgroup&gt;/&lt;pod name&gt;.</summary>
    public KubeletPodCgroup? Kubelet { get; }

    /// <summary>Where <see cref="Start"/> runs processes: &lt;node cgroup&gt;/&lt;pod name&gt;, or the app container's cgroup in kubelet's layout.</summary>
    public string CgroupPath { get; }

    /// <summary>The pod's own cgroup: <see cref="CgroupPath"/>, or in kubelet's layout the pod-level cgroup above the containers'.</summary>
    public string PodCgroupPath { get; }

    /// <summary>Where <see cref="StartPause"/> runs: the sandbox container's cgroup in kubelet's layout, else <see cref="CgroupPath"/>.</summary>
    public string SandboxCgroupPath { get; }

    /// <summary>The cgroup directories the pod needs, parents first (kubelet's shared levels included).</summary>
    internal IEnumerable<string> CgroupDirectories()
    {
        if (Kubelet is null)
        {
            yield return CgroupPath;
            yield break;
        }

        var relative = Kubelet.PodCgroup.Split('/');
        for (var n = 1; n <= relative.Length; n++)
        {
            yield return Path.Combine([Node.CgroupPath, .. relative.Take(n)]);
        }

        yield return SandboxCgroupPath;
        yield return CgroupPath;
    }

    /// <summary>
    /// Starts <paramref name="file"/> in the pod's netns and cgroup, stdout and stderr captured.
    /// Returns once the process is inside the pod (or has already exited).
    /// </summary>
    public LabProcess Start(string file, params string[] args) => StartIn(CgroupPath, file, args);

    /// <summary>
    /// Starts the pod's long-lived sandbox process (`sleep infinity`, standing in for "pause") in
    /// <see cref="SandboxCgroupPath"/>, which holds the pod's netns as kubelet's pause does.
    /// </summary>
    public LabProcess StartPause() => StartIn(SandboxCgroupPath, "sleep", ["infinity"]);

    private LabProcess StartIn(string cgroup, string file, string[] args)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentNullException.ThrowIfNull(args);
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        string[] argv = ["-c", EnterCgroupScript, "sh", cgroup, "nsenter", $"--net={NetnsPath}", "--", file, .. args];
        foreach (var a in argv)
        {
            psi.ArgumentList.Add(a);
        }

        var description = $"[{Name}] {Command.Format(file, args)}";
        var process = new LabProcess(Command.Start(psi, "/bin/sh", argv), description);
        process.CloseInput();
        Node.Lab.Track(process);
        WaitInside(process);
        return process;
    }

    /// <summary>Runs this assembly's probe (`weft-lab probe …`) inside the pod.</summary>
    public LabProcess StartProbe(params string[] args) =>
        Start(ProbeLauncher.DotnetHost, [ProbeLauncher.AssemblyPath, "probe", .. args]);

    /// <summary>Starts `probe serve` on the ports and returns once it listens.</summary>
    public LabProcess Serve(int port, long replyBytes = 0, params int[] morePorts)
    {
        ArgumentNullException.ThrowIfNull(morePorts);
        List<string> args = ["serve", "--reply-bytes", replyBytes.ToString(CultureInfo.InvariantCulture)];
        foreach (var p in morePorts.Prepend(port))
        {
            args.AddRange(["--port", p.ToString(CultureInfo.InvariantCulture)]);
        }

        var server = StartProbe([.. args]);
        try
        {
            // The caller's thread blocks; no continuation here needs its context, so no deadlock.
            server.WaitForLineAsync(l => l.Contains("\"listening\"", StringComparison.Ordinal), ReadyTimeout).GetAwaiter().GetResult();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Runs `probe send` from this pod to <paramref name="to"/> and returns its parsed summary.</summary>
    /// <remarks><paramref name="pace"/> pauses after each chunk (ReplyPattern.ChunkSize bytes), to keep one connection open for a while.</remarks>
    public async Task<ProbeResult> SendAsync(IPEndPoint to, long bytes, long expectReplyBytes = 0, int parallel = 1, TimeSpan? timeout = null, string? text = null, TimeSpan? pace = null)
    {
        ArgumentNullException.ThrowIfNull(to);
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        List<string> args =
        [
            "send",
            "--to", to.ToString(),
            "--bytes", bytes.ToString(CultureInfo.InvariantCulture),
            "--expect-reply", expectReplyBytes.ToString(CultureInfo.InvariantCulture),
            "--parallel", parallel.ToString(CultureInfo.InvariantCulture),
            "--timeout-ms", ((long)limit.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        ];
        if (text is not null)
        {
            args.AddRange(["--text", text]);
        }

        if (pace is { } p)
        {
            args.AddRange(["--pace-ms", ((long)p.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)]);
        }

        using var sender = StartProbe([.. args]);

        // The probe enforces the timeout itself; the margin covers runtime start-up.
        int code;
        try
        {
            code = await sender.Exited.WaitAsync(limit + TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{sender} did not finish; stderr: {sender.Stderr.Trim()}");
        }

        var summary = sender.StdoutLines.LastOrDefault(l => l.StartsWith('{'))
            ?? throw new LabCommandException($"{sender} exited with {code} without a summary; stderr: {sender.Stderr.Trim()}");
        return ProbeResult.Parse(summary);
    }

    public override string ToString() => $"pod {Name} ({Address}, {NetnsName})";

    private void WaitInside(LabProcess process)
    {
        var target = $"net:[{Netns.Inode(NetnsPath)}]";
        var sw = Stopwatch.StartNew();
        while (!process.HasExited)
        {
            try
            {
                if (new FileInfo($"/proc/{process.Pid}/ns/net").LinkTarget == target)
                {
                    return;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Exiting; the loop condition sees it next.
            }

            if (sw.Elapsed > EnterTimeout)
            {
                process.Dispose();
                throw new LabCommandException($"{process} did not enter {NetnsPath} within {EnterTimeout.TotalSeconds} s; stderr: {process.Stderr.Trim()}");
            }

            Thread.Sleep(1);
        }
    }
}
