using Microsoft.Extensions.Logging.Abstractions;
using Weft.Capture.Libbpf;
using Weft.Platform.Host;
using Weft.Tests.Shared;

namespace Weft.Capture.Tests;

/// <summary>What an operator is told when the object, the cgroup or the kernel is not right.</summary>
public sealed class ErrorTests
{
    [RootFact]
    public void A_missing_object_fails_naming_the_path_and_make_build()
    {
        RequireRoot();
        var node = NewNode();
        var missing = Path.Combine(Path.GetTempPath(), $"weft-missing-{Guid.NewGuid():N}", "weft.bpf.o");
        // A real cgroup v2 root: Start gets as far as opening the object, and fails there.
        var options = new CaptureOptions { ObjectPath = missing, Node = node, CgroupRoot = "/sys/fs/cgroup/unified" };

        try
        {
            var e = Assert.Throws<BpfException>(() => BpfCapture.Start(options, NullLogger.Instance));

            Assert.Contains(missing, e.Message, StringComparison.Ordinal);
            Assert.Contains("make build", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            RemoveEmptyPinDirectory(options);
        }
    }

    [RootFact]
    public void A_failed_start_leaves_no_pin_directory()
    {
        RequireRoot();
        var node = NewNode();
        var options = new CaptureOptions { ObjectPath = "/nonexistent/weft.bpf.o", Node = node, CgroupRoot = "/sys/fs/cgroup/unified" };
        try
        {
            Assert.Throws<BpfException>(() => BpfCapture.Start(options, NullLogger.Instance));

            Assert.False(Directory.Exists(options.PinDirectory), $"{options.PinDirectory} was left behind by a Start that failed");
        }
        finally
        {
            RemoveEmptyPinDirectory(options);
        }
    }

    [RootFact]
    public void A_cgroup_root_that_does_not_exist_fails_naming_it_and_leaves_nothing()
    {
        RequireRoot();
        var missing = Path.Combine(Path.GetTempPath(), $"weft-no-cgroup-{Guid.NewGuid():N}");
        var options = new CaptureOptions { ObjectPath = RepoPaths.BpfObject, Node = NewNode(), CgroupRoot = missing };

        var e = Assert.Throws<HostRequirementException>(() => BpfCapture.Start(options, NullLogger.Instance));

        Assert.Contains($"The cgroup root {missing} does not exist", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(options.PinDirectory), $"{options.PinDirectory} was left behind");
    }

    [RootFact]
    public void A_cgroup_root_that_is_not_cgroup_v2_fails_naming_it_and_leaves_nothing()
    {
        RequireRoot();
        var dir = Directory.CreateTempSubdirectory("weft-not-a-cgroup-");
        try
        {
            var options = new CaptureOptions { ObjectPath = RepoPaths.BpfObject, Node = NewNode(), CgroupRoot = dir.FullName };

            var e = Assert.Throws<HostRequirementException>(() => BpfCapture.Start(options, NullLogger.Instance));

            Assert.StartsWith($"{dir.FullName} is not on a cgroup v2 file system", e.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(options.PinDirectory), $"{options.PinDirectory} was left behind");
        }
        finally
        {
            dir.Delete();
        }
    }

    [Fact]
    public void RequireCgroup2_names_a_directory_that_is_not_cgroup_v2_or_does_not_exist()
    {
        var dir = Directory.CreateTempSubdirectory("weft-not-a-cgroup-");
        try
        {
            var e = Assert.Throws<HostRequirementException>(() => HostChecks.RequireCgroup2(dir.FullName));
            Assert.StartsWith($"{dir.FullName} is not on a cgroup v2 file system", e.Message, StringComparison.Ordinal);
            Assert.Contains("/proc/mounts", e.Message, StringComparison.Ordinal);

            var missing = Path.Combine(dir.FullName, "gone");
            e = Assert.Throws<HostRequirementException>(() => HostChecks.RequireCgroup2(missing));
            Assert.Contains($"The cgroup root {missing} does not exist", e.Message, StringComparison.Ordinal);
            Assert.Contains("mount -t cgroup2", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [RootFact]
    public void RequireCgroup2_accepts_a_lab_node_cgroup()
    {
        using var lab = Weft.Lab.Lab.Create(nameof(ErrorTests));
        var node = lab.AddNode("node");

        HostChecks.RequireCgroup2(node.CgroupPath);
    }

    [Fact]
    public void RequireKernel_names_the_minimum_and_the_running_release()
    {
        var e = Assert.Throws<HostRequirementException>(() => HostChecks.RequireKernel("4.19.0"));
        Assert.Equal(
            "Linux 5.15 or newer is needed (sk_lookup, netns cookies in sockops), but this kernel is 4.19.0: upgrade the node's kernel.",
            e.Message);
        Assert.Contains("5.14.21-150400", Assert.Throws<HostRequirementException>(() => HostChecks.RequireKernel("5.14.21-150400")).Message, StringComparison.Ordinal);
        Assert.Throws<HostRequirementException>(() => HostChecks.RequireKernel("not-a-release"));

        HostChecks.RequireKernel("5.15.0");
        HostChecks.RequireKernel("6.18.0-rc1+");
        HostChecks.RequireKernel("10.0.0");
        HostChecks.RequireKernel(); // this host runs BPF, so it must pass
    }

    /// <summary>For tests that load BPF without a lab (Lab.Create says so itself): fail clearly, not obscurely.</summary>
    private static void RequireRoot() =>
        Assert.True(Environment.IsPrivilegedProcess, "this test needs root: it loads eBPF and pins maps under /sys/fs/bpf (with CI=true it fails rather than skips)");

    /// <summary>Cleans up after a Start that left its (empty) pin directory, so a failure here leaves nothing either.</summary>
    private static void RemoveEmptyPinDirectory(CaptureOptions options)
    {
        if (Directory.Exists(options.PinDirectory) && Directory.GetFileSystemEntries(options.PinDirectory).Length == 0)
        {
            Directory.Delete(options.PinDirectory);
        }
    }

    private static string NewNode() => $"cap-err-{Guid.NewGuid().ToString("N")[..8]}";
}
