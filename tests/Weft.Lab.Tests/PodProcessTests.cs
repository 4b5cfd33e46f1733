using System.Diagnostics;
using System.Net;
using Weft.Tests.Shared;

namespace Weft.Lab.Tests;

/// <summary>A process started in a pod is in both the pod's netns and its cgroup.</summary>
public sealed class PodProcessTests
{
    [RootFact]
    public void A_pod_process_is_in_the_pods_cgroup_and_netns()
    {
        using var lab = Lab.Create(nameof(PodProcessTests));
        var node = lab.AddNode("node1");
        var pod = lab.AddPod(node, "a", IPAddress.Parse("10.77.0.2"));
        Assert.Equal($"{node.CgroupPath}/a", pod.CgroupPath);
        Assert.Equal($"/var/run/netns/weft-{lab.Id}-a", pod.NetnsPath);

        using var sleeper = pod.Start("sleep", "60");

        var cgroup = File.ReadAllLines($"/proc/{sleeper.Pid}/cgroup").Single(l => l.StartsWith("0::", StringComparison.Ordinal));
        Assert.Equal("0::" + pod.CgroupPath[Host.CgroupRoot.Length..], cgroup);
        Assert.Contains(sleeper.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllLines($"{pod.CgroupPath}/cgroup.procs"));
        var inode = Host.Run("stat", "-L", "-c", "%i", pod.NetnsPath).Trim();
        Assert.Equal($"net:[{inode}]", new FileInfo($"/proc/{sleeper.Pid}/ns/net").LinkTarget);
        Assert.NotEqual($"net:[{inode}]", new FileInfo($"/proc/{Environment.ProcessId}/ns/net").LinkTarget);
    }

    [RootFact]
    public async Task Output_is_captured_and_a_killed_process_reports_its_exit()
    {
        using var lab = Lab.Create(nameof(PodProcessTests));
        var pod = lab.AddPod(lab.AddNode("node1"), "a", IPAddress.Parse("10.77.0.2"));

        using var echo = pod.Start("sh", "-c", "echo one; echo two; echo oops >&2; exit 3");
        Assert.Equal(3, await echo.Exited);
        Assert.Equal(["one", "two"], echo.StdoutLines);
        Assert.Equal("oops", echo.Stderr.Trim());
        await Assert.ThrowsAsync<InvalidOperationException>(() => echo.WaitForLineAsync(l => l == "three", TimeSpan.FromSeconds(5)));

        using var sleeper = pod.Start("sleep", "60");
        var sw = Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutException>(() => sleeper.WaitForLineAsync(_ => true, TimeSpan.FromMilliseconds(200)));
        sleeper.Kill();
        Assert.NotEqual(0, await sleeper.Exited.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
    }
}
