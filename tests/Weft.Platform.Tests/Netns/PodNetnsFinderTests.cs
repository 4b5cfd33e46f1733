using Microsoft.Extensions.Logging;
using Weft.Platform.Netns;

namespace Weft.Platform.Tests.Netns;

/// <summary>The finder on a fake node (cgroup tree and /proc in a temporary directory), no privileges needed.</summary>
public sealed class PodNetnsFinderTests : IDisposable
{
    private const string Uid = "8d5e3f1a-2b4c-4d6e-9f01-23456789abcd";
    private const string Escaped = "8d5e3f1a_2b4c_4d6e_9f01_23456789abcd";
    private const string Container = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

    private readonly FakeNode node = new();
    private readonly TestLogger<PodNetnsFinder> log = new();

    public void Dispose() => node.Dispose();

    // Paths written out as kubelet makes them, not derived from the code under test.
    public static TheoryData<string, PodQosClass> Layouts => new()
    {
        { $"kubepods.slice/kubepods-pod{Escaped}.slice", PodQosClass.Guaranteed },
        { $"kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{Escaped}.slice", PodQosClass.Burstable },
        { $"kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{Escaped}.slice", PodQosClass.BestEffort },
        { $"kubepods/pod{Uid}", PodQosClass.Guaranteed },
        { $"kubepods/burstable/pod{Uid}", PodQosClass.Burstable },
        { $"kubepods/besteffort/pod{Uid}", PodQosClass.BestEffort },
        // kind: --cgroup-root=/kubelet(.slice)
        { $"kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod{Escaped}.slice", PodQosClass.Guaranteed },
        { $"kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod{Escaped}.slice", PodQosClass.Burstable },
        { $"kubelet/kubepods/besteffort/pod{Uid}", PodQosClass.BestEffort },
        // k3s in docker without a cgroup namespace: kubepods below the node container's cgroup
        { $"docker/4a5b6c7d8e9f/kubepods/burstable/pod{Uid}", PodQosClass.Burstable },
        // deepest root the search reaches
        { $"a/b/c/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{Escaped}.slice", PodQosClass.BestEffort },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Finds_the_pod_in_every_layout_with_or_without_its_qos_class(string podCgroup, PodQosClass qos)
    {
        var container = podCgroup.Contains(".slice", StringComparison.Ordinal) ? $"cri-containerd-{Container}.scope" : Container;
        node.AddCgroup(podCgroup);
        node.AddCgroup($"{podCgroup}/{container}", 30);
        var netns = node.AddProcess(30, startTime: 5000);

        foreach (var hint in new PodQosClass?[] { qos, null })
        {
            var found = Finder().Find(Uid, hint);

            Assert.NotNull(found);
            Assert.Equal(Path.Join(node.Cgroups, podCgroup), found.CgroupPath);
            Assert.Equal(30, found.Pid);
            Assert.Equal(Path.Join(node.Proc, "30", "ns", "net"), found.NetnsPath);
            Assert.Equal(NetworkNamespace.CurrentInode(netns), found.NetnsInode);
        }
    }

    [Fact]
    public void A_wrong_qos_hint_still_finds_the_pod()
    {
        node.AddCgroup($"kubepods/besteffort/pod{Uid}", 30);
        node.AddProcess(30, startTime: 5000);

        Assert.Equal(30, Finder().Find(Uid, PodQosClass.Guaranteed)?.Pid);
    }

    [Theory]
    [InlineData($"kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{Uid}.slice")] // systemd, dashes not escaped
    [InlineData($"kubepods/burstable/pod{Escaped}")] // cgroupfs, dashes escaped
    [InlineData($"kubepods.slice/kubepods-burstable.slice/kubepods-pod{Escaped}.slice")] // guaranteed name in the burstable slice
    [InlineData($"kubepods/guaranteed/pod{Uid}")] // guaranteed pods have no branch of their own
    public void Names_kubelet_would_not_make_are_not_the_pod(string podCgroup)
    {
        node.AddCgroup(podCgroup, 30);
        node.AddProcess(30, startTime: 5000);

        Assert.Null(Finder().Find(Uid, null));
        Assert.Equal(1, log.Count(9101));
    }

    [Fact]
    public void Picks_the_earliest_started_live_process_across_the_pods_containers()
    {
        var pod = $"kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{Escaped}.slice";
        node.AddCgroup(pod);
        node.AddCgroup($"{pod}/cri-containerd-{Container}.scope", 41, 20, 50, 40);
        node.AddCgroup($"{pod}/cri-containerd-{new string('a', 64)}.scope", 30);
        node.AddProcess(40, startTime: 9000);
        node.AddProcess(41, startTime: 7000);
        node.AddProcess(30, startTime: 6000); // the sandbox
        node.AddProcess(20, startTime: 100, state: 'Z'); // exited, not reaped
        // pid 50 is listed but already gone from /proc

        Assert.Equal(30, Finder().Find(Uid, PodQosClass.Burstable)?.Pid);
    }

    [Fact]
    public void Processes_in_the_pods_own_cgroup_and_deeper_ones_count_too()
    {
        var pod = $"kubepods/pod{Uid}";
        node.AddCgroup(pod, 60);
        node.AddCgroup($"{pod}/{Container}/init.scope/inner", 31);
        node.AddProcess(60, startTime: 8000);
        node.AddProcess(31, startTime: 7000);

        Assert.Equal(31, Finder().Find(Uid, null)?.Pid);
    }

    [Fact]
    public void A_process_whose_namespace_is_gone_is_passed_over()
    {
        node.AddCgroup($"kubepods/pod{Uid}/{Container}", 30, 31);
        node.AddProcess(30, startTime: 6000);
        File.Delete(Path.Join(node.Proc, "30", "ns", "net")); // exiting: namespaces dropped, not yet a zombie
        node.AddProcess(31, startTime: 7000);

        Assert.Equal(31, Finder().Find(Uid, null)?.Pid);
        Assert.Equal(1, log.Count(9104));
    }

    [Fact]
    public void A_pod_without_a_cgroup_or_a_live_process_gives_null()
    {
        var finder = Finder();
        Assert.Null(finder.Find(Uid, null));

        var pod = node.AddCgroup($"kubepods/burstable/pod{Uid}");
        node.AddCgroup($"kubepods/burstable/pod{Uid}/{Container}");
        Assert.Null(finder.Find(Uid, PodQosClass.Burstable));

        // The only process has exited: a zombie, and then a pid with no /proc entry.
        File.WriteAllText(Path.Join(pod, Container, "cgroup.procs"), "30\n");
        node.AddProcess(30, startTime: 6000, state: 'Z');
        Assert.Null(finder.Find(Uid, PodQosClass.Burstable));
        node.RemoveProcess(30);
        Assert.Null(finder.Find(Uid, PodQosClass.Burstable));

        Assert.Equal(1, log.Count(9101));
        Assert.Equal(3, log.Count(9102));
    }

    [Fact]
    public void A_process_in_the_hosts_namespace_gives_null_and_is_logged_once()
    {
        node.AddCgroup($"kubepods/besteffort/pod{Uid}/{Container}", 30);
        node.AddProcess(30, startTime: 6000, netns: node.HostNetns);
        var finder = Finder();

        Assert.Null(finder.Find(Uid, PodQosClass.BestEffort));
        Assert.Null(finder.Find(Uid, PodQosClass.BestEffort));

        Assert.Equal(1, log.Count(9103));
        Assert.All(log.Entries.Where(e => e.EventId == 9103), e => Assert.Equal(LogLevel.Debug, e.Level));
    }

    [Fact]
    public void A_process_in_the_agents_own_namespace_gives_null()
    {
        var agent = node.SeparateSelfNetns();
        node.AddCgroup($"kubepods/pod{Uid}", 30);
        node.AddProcess(30, startTime: 6000, netns: agent);

        Assert.Null(Finder().Find(Uid, null));
        Assert.Equal(1, log.Count(9103));
    }

    [Fact]
    public void A_nested_root_is_found_once_and_remembered()
    {
        const string Other = "11111111-2222-4333-8444-555555555555";
        node.AddCgroup($"kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod{Escaped}.slice", 30);
        node.AddCgroup($"kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod{Other.Replace('-', '_')}.slice", 31);
        node.AddProcess(30, startTime: 6000);
        node.AddProcess(31, startTime: 6000);
        var finder = Finder();

        Assert.Equal(30, finder.Find(Uid, null)?.Pid);
        Assert.Equal(31, finder.Find(Other, null)?.Pid);
        Assert.Equal(30, finder.Find(Uid, PodQosClass.Burstable)?.Pid);

        Assert.Equal(1, log.Count(9105));
        Assert.Contains(Path.Join(node.Cgroups, "kubelet.slice", "kubelet-kubepods.slice"), log.Entries.Single(e => e.EventId == 9105).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_search_stops_four_levels_down()
    {
        node.AddCgroup($"a/b/c/d/kubepods/pod{Uid}", 30);
        node.AddProcess(30, startTime: 6000);

        Assert.Null(Finder().Find(Uid, null));
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("a/b")]
    [InlineData("8d5e3f1a 2b4c")]
    [InlineData("")]
    public void A_uid_that_is_no_uid_is_refused(string uid) =>
        Assert.ThrowsAny<ArgumentException>(() => Finder().Find(uid, null));

    [Fact]
    public void A_missing_search_root_says_to_mount_cgroup_v2()
    {
        var finder = new PodNetnsFinder(Path.Join(node.Root, "nowhere"), log, node.Proc);

        var e = Assert.Throws<NetnsException>(() => finder.Find(Uid, null));
        Assert.Contains("mount -t cgroup2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Processes_outside_the_agents_pid_namespace_say_to_use_hostPID()
    {
        // cgroup.procs shows 0 for processes the reader's pid namespace cannot see.
        node.AddCgroup($"kubepods/pod{Uid}/{Container}", 0, 0);

        var e = Assert.Throws<NetnsException>(() => Finder().Find(Uid, null));
        Assert.Contains("hostPID: true", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Guaranteed", PodQosClass.Guaranteed)]
    [InlineData("Burstable", PodQosClass.Burstable)]
    [InlineData("BestEffort", PodQosClass.BestEffort)]
    [InlineData("besteffort", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Qos_classes_parse_from_pod_status(string? value, PodQosClass? expected) =>
        Assert.Equal(expected, PodQosClasses.Parse(value));

    private PodNetnsFinder Finder() => new(node.Cgroups, log, node.Proc);
}
