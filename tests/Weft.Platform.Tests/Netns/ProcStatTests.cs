using System.Diagnostics;
using Weft.Platform.Host;
using Weft.Platform.Netns;

namespace Weft.Platform.Tests.Netns;

public sealed class ProcStatTests
{
    [Theory]
    [InlineData("sleep")]
    [InlineData("two words")]
    [InlineData("a) S 1 2 3")]
    [InlineData(")")]
    [InlineData("((")]
    [InlineData(") Z 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 999 (")]
    [InlineData("new\nline")]
    [InlineData("")]
    public void Reads_state_and_start_time_whatever_the_command_name(string comm)
    {
        var stat = ProcStat.Parse(FakeNode.Stat(4242, comm, 'S', 123456789012));

        Assert.Equal(new ProcStat('S', 0, 0, 123456789012), stat);
    }

    [Fact]
    public void Reads_user_and_system_time_in_ticks_and_seconds()
    {
        var stat = ProcStat.Parse("4242 (weft) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 1 0 99 2240512");

        Assert.Equal(new ProcStat('S', 1234, 567, 99), stat);
        Assert.Equal(18.01, stat!.Value.CpuSeconds, precision: 6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("4242 (sleep")] // cut inside the command name
    [InlineData("4242 (sleep) S 1 4242 4242 0 -1")] // cut before field 22
    [InlineData("4242 (sleep) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 -5 2240512")]
    [InlineData("4242 (sleep) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 12x 2240512")]
    [InlineData("4242 (sleep) SS 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 12 2240512")]
    public void Malformed_stat_lines_read_as_nothing(string stat) =>
        Assert.Null(ProcStat.Parse(stat));

    [Fact]
    public void Reads_real_processes_and_a_later_one_started_later()
    {
        var self = ProcStat.TryRead("/proc", Environment.ProcessId);
        using var child = Process.Start("sleep", "5");
        try
        {
            var later = ProcStat.TryRead("/proc", child.Id);

            Assert.NotNull(self);
            Assert.NotNull(later);
            Assert.Contains(self.Value.State, "RS"); // the main thread may be waiting for the test's
            Assert.False(self.Value.IsDead);
            Assert.True(self.Value.StartTime > 0);
            Assert.True(later.Value.StartTime >= self.Value.StartTime);
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
    }

    [Fact]
    public void A_gone_process_reads_as_nothing()
    {
        using var gone = Process.Start("true");
        gone.WaitForExit();

        Assert.Null(ProcStat.TryRead("/proc", gone.Id));
    }
}
