using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Weft.Platform.Netns;
using Weft.Tests.Shared;

namespace Weft.Lab.Tests;

/// <summary>
/// Lab pods laid out as kubelet lays them out, and the agent's <see cref="PodNetnsFinder"/> on
/// them: real cgroups, real network namespaces, real processes.
/// </summary>
public sealed class KubeletPodTests
{
    [RootFact]
    public void The_finder_returns_the_pods_netns_for_each_driver_qos_class_and_cgroup_root()
    {
        using var lab = Lab.Create(nameof(KubeletPodTests));
        var pods = new List<(LabPod Pod, LabProcess Pause, string Expected)>();
        var address = 2;
        foreach (var (nodeName, driver, root) in new (string, CgroupDriver, string[])[]
        {
            ("systemd", CgroupDriver.Systemd, []),
            ("cgroupfs", CgroupDriver.Cgroupfs, []),
            ("kind", CgroupDriver.Systemd, ["kubelet"]),
            ("k3s", CgroupDriver.Cgroupfs, ["docker", "k3s"]),
        })
        {
            var node = lab.AddNode(nodeName);
            foreach (var qos in Enum.GetValues<PodQosClass>())
            {
                var uid = KubeletPodCgroup.NewUid();
                var pod = lab.AddPod(node, $"{nodeName}-{qos.ToString().ToLowerInvariant()}", IPAddress.Parse($"10.77.0.{address++}"),
                    kubelet: new KubeletPodCgroup(uid, qos, driver) { CgroupRoot = root });
                var pause = pod.StartPause();
                pod.Start("sleep", "60"); // the app: started later, so not the one to take
                pods.Add((pod, pause, Path.Join(node.CgroupPath, KubeletPath(driver, root, qos, uid))));
            }
        }

        foreach (var (pod, pause, expected) in pods)
        {
            var kubelet = pod.Kubelet!;
            Assert.Equal(expected, pod.PodCgroupPath);
            Assert.Equal(ProcCgroup(pause.Pid), pod.SandboxCgroupPath);
            Assert.StartsWith(pod.PodCgroupPath + "/", pod.CgroupPath, StringComparison.Ordinal);

            var finder = new PodNetnsFinder(pod.Node.CgroupPath, NullLogger<PodNetnsFinder>.Instance);
            foreach (var hint in new PodQosClass?[] { kubelet.Qos, null })
            {
                var found = finder.Find(kubelet.Uid, hint);

                Assert.NotNull(found);
                Assert.Equal(pod.PodCgroupPath, found.CgroupPath);
                Assert.Equal(pause.Pid, found.Pid);
                Assert.Equal($"/proc/{pause.Pid}/ns/net", found.NetnsPath);
                Assert.Equal(HostTools.NetnsInode(pod.NetnsPath), found.NetnsInode);
            }
        }
    }

    [RootFact]
    public void From_the_cgroup2_mount_the_search_finds_a_pod_below_a_lab_node()
    {
        using var lab = Lab.Create(nameof(KubeletPodTests));
        var uid = KubeletPodCgroup.NewUid();
        var pod = lab.AddPod(lab.AddNode("node1"), "a", IPAddress.Parse("10.77.0.2"), kubelet: new KubeletPodCgroup(uid, PodQosClass.Burstable));
        using var pause = pod.StartPause();

        // kubepods.slice sits at <mount>/weft-<id>-node1/kubepods.slice: the search's ground, two levels down.
        var found = new PodNetnsFinder(Host.CgroupRoot, NullLogger<PodNetnsFinder>.Instance).Find(uid, null);

        Assert.Equal(pause.Pid, found?.Pid);
        Assert.Equal(HostTools.NetnsInode(pod.NetnsPath), found?.NetnsInode);
    }

    [RootFact]
    public async Task A_pod_without_a_process_whose_process_exited_or_in_the_hosts_netns_gives_null()
    {
        using var lab = Lab.Create(nameof(KubeletPodTests));
        var node = lab.AddNode("node1");
        var finder = new PodNetnsFinder(node.CgroupPath, NullLogger<PodNetnsFinder>.Instance);

        var starting = lab.AddPod(node, "starting", IPAddress.Parse("10.77.0.2"), kubelet: new KubeletPodCgroup(KubeletPodCgroup.NewUid(), PodQosClass.BestEffort));
        Assert.Null(finder.Find(starting.Kubelet!.Uid, PodQosClass.BestEffort));
        Assert.Null(finder.Find(KubeletPodCgroup.NewUid(), null)); // no cgroup at all

        var exited = lab.AddPod(node, "exited", IPAddress.Parse("10.77.0.3"), kubelet: new KubeletPodCgroup(KubeletPodCgroup.NewUid(), PodQosClass.Guaranteed, CgroupDriver.Cgroupfs));
        using (var pause = exited.StartPause())
        {
            var found = finder.Find(exited.Kubelet!.Uid, null);
            Assert.True(found?.Pid == pause.Pid, $"found {found}; {pause} exited: {pause.HasExited}, stderr: {pause.Stderr}");
            pause.Kill();
            await pause.Exited.WaitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.True(await HostTools.EventuallyAsync(() => File.ReadAllText(Path.Join(exited.SandboxCgroupPath, "cgroup.procs")).Length == 0, TimeSpan.FromSeconds(5)));
        Assert.Null(finder.Find(exited.Kubelet.Uid, null));

        // hostNetwork: the pod's process is in the host's namespace (the lab's pod netns stays unused).
        var hostNetwork = lab.AddPod(node, "host-network", IPAddress.Parse("10.77.0.4"), kubelet: new KubeletPodCgroup(KubeletPodCgroup.NewUid(), PodQosClass.Burstable));
        using var inHost = StartInCgroup(hostNetwork.SandboxCgroupPath);
        try
        {
            Assert.Equal(hostNetwork.SandboxCgroupPath, ProcCgroup(inHost.Id));
            Assert.Null(finder.Find(hostNetwork.Kubelet!.Uid, PodQosClass.Burstable));
        }
        finally
        {
            inHost.Kill();
            inHost.WaitForExit();
        }
    }

    [RootFact]
    public void Dispose_removes_the_nested_kubelet_cgroups()
    {
        var lab = Lab.Create(nameof(KubeletPodTests));
        var node = lab.AddNode("node1");
        LabPod? pod = null;
        try
        {
            pod = lab.AddPod(node, "a", IPAddress.Parse("10.77.0.2"), kubelet: new KubeletPodCgroup(KubeletPodCgroup.NewUid(), PodQosClass.Burstable) { CgroupRoot = ["kubelet"] });
            lab.AddPod(node, "b", IPAddress.Parse("10.77.0.3"), kubelet: new KubeletPodCgroup(KubeletPodCgroup.NewUid(), PodQosClass.Burstable) { CgroupRoot = ["kubelet"] });
            pod.StartPause();
            pod.Start("sleep", "60");
            Assert.True(Directory.Exists(pod.CgroupPath));
        }
        finally
        {
            lab.Dispose();
        }

        Assert.False(Directory.Exists(node.CgroupPath));
        Assert.Empty(Host.CgroupDirs(lab.Id));
        Assert.DoesNotContain(Host.NetnsNames(), n => n.Contains(lab.Id, StringComparison.Ordinal));
    }

    /// <summary>kubelet's pod cgroup, written out by hand from its naming rules.</summary>
    private static string KubeletPath(CgroupDriver driver, string[] root, PodQosClass qos, string uid)
    {
        var branch = qos switch { PodQosClass.Burstable => "burstable", PodQosClass.BestEffort => "besteffort", _ => null };
        return (driver, root) switch
        {
            (CgroupDriver.Systemd, []) when branch is null => $"kubepods.slice/kubepods-pod{uid.Replace('-', '_')}.slice",
            (CgroupDriver.Systemd, []) => $"kubepods.slice/kubepods-{branch}.slice/kubepods-{branch}-pod{uid.Replace('-', '_')}.slice",
            (CgroupDriver.Systemd, ["kubelet"]) when branch is null => $"kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod{uid.Replace('-', '_')}.slice",
            (CgroupDriver.Systemd, ["kubelet"]) => $"kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-{branch}.slice/kubelet-kubepods-{branch}-pod{uid.Replace('-', '_')}.slice",
            (CgroupDriver.Cgroupfs, _) => string.Join('/', [.. root, "kubepods", .. branch is null ? Array.Empty<string>() : [branch], "pod" + uid]),
            _ => throw new ArgumentOutOfRangeException(nameof(root)),
        };
    }

    /// <summary>The absolute cgroup directory of a process, from /proc/PID/cgroup.</summary>
    private static string ProcCgroup(int pid) =>
        Host.CgroupRoot + File.ReadAllLines($"/proc/{pid}/cgroup").Single(l => l.StartsWith("0::", StringComparison.Ordinal))[3..];

    /// <summary>A process in <paramref name="cgroup"/> but in the host's network namespace, as a hostNetwork pod's is.</summary>
    private static Process StartInCgroup(string cgroup)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true };
        foreach (var a in new[] { "-c", "echo $$ > \"$1/cgroup.procs\" && echo in && exec sleep 60", "sh", cgroup })
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        Assert.Equal("in", p.StandardOutput.ReadLine());
        return p;
    }
}
