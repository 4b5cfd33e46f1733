using Weft.Platform.Host;

namespace Weft.Capture.Tests;

/// <summary>The one-sentence reports for a missing bpffs and an unparseable or old kernel.</summary>
public sealed class HostCheckTests
{
    [Fact]
    public void A_directory_that_is_not_bpffs_is_reported_with_the_mount_command()
    {
        var dir = Directory.CreateTempSubdirectory("weft-not-bpffs-");
        try
        {
            var e = Assert.Throws<HostRequirementException>(() => HostChecks.RequireBpffs(dir.FullName));
            Assert.Equal($"No BPF file system at {dir.FullName}: mount it with 'mount -t bpf bpf {dir.FullName}' (in Kubernetes, mount the host's {dir.FullName} into the agent).", e.Message);
        }
        finally
        {
            dir.Delete();
        }
    }

    [Fact]
    public void The_real_bpffs_passes() => HostChecks.RequireBpffs("/sys/fs/bpf");

    [Theory]
    [InlineData("6.18.44-fc-v782", 6, 18)]
    [InlineData("5.15.0-91-generic", 5, 15)]
    [InlineData("6.1.0+", 6, 1)]
    public void Kernel_versions_parse(string release, int major, int minor) =>
        Assert.Equal(new Version(major, minor), HostChecks.ParseKernelVersion(release));

    [Theory]
    [InlineData("5.10.0-28-amd64")]
    [InlineData("garbage")]
    public void Old_or_unknown_kernels_are_refused(string release)
    {
        var e = Assert.Throws<HostRequirementException>(() => HostChecks.RequireKernel(release));
        Assert.Contains($"this kernel is {release}: upgrade the node's kernel", e.Message, StringComparison.Ordinal);
    }
}
