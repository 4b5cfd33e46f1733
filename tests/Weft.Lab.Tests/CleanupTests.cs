using System.Net;
using System.Security.Cryptography;
using Weft.Tests.Shared;

namespace Weft.Lab.Tests;

/// <summary>
/// Dispose and the stale sweep remove what a lab created, and only that. Not run in parallel
/// with other tests: another test's Lab.Create sweeps too and would race the assertions here.
/// </summary>
[Collection(nameof(CleanupTests))]
public sealed class CleanupTests
{
    private const string StateDir = "/run/weft-lab";

    [RootFact]
    public void Dispose_removes_namespaces_cgroups_processes_and_the_state_file()
    {
        var lab = Lab.Create(nameof(CleanupTests));
        var node = lab.AddNode("node1");
        var a = lab.AddPod(node, "a", IPAddress.Parse("10.77.0.2"));
        lab.AddPod(lab.AddNode("node2"), "b", IPAddress.Parse("10.77.0.3"));
        var sleeper = a.Start("sleep", "60");
        Assert.Equal(3, Host.NetnsNames().Count(n => n.Contains(lab.Id, StringComparison.Ordinal)));
        Assert.Equal(2, Host.CgroupDirs(lab.Id).Count);
        Assert.True(File.Exists($"{StateDir}/{lab.Id}.json"));

        lab.Dispose();

        Assert.DoesNotContain(Host.NetnsNames(), n => n.Contains(lab.Id, StringComparison.Ordinal));
        Assert.Empty(Host.CgroupDirs(lab.Id));
        Assert.False(File.Exists($"{StateDir}/{lab.Id}.json"));
        Assert.True(sleeper.Exited.IsCompleted);
        lab.Dispose(); // twice is fine
    }

    [RootFact]
    public void SweepStale_removes_a_dead_owners_listed_objects_and_nothing_else()
    {
        Host.RequireRoot();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        string Name(string n) => $"weft-{id}-{n}";
        var node = $"{Host.CgroupRoot}/{Name("node1")}";
        var pod = $"{node}/a";
        var unlistedCgroup = $"{Host.CgroupRoot}/{Name("spare")}";
        var foreignNetns = $"other-{id}"; // listed, but not named for the lab: must be left alone
        try
        {
            Host.Run("ip", "netns", "add", Name("fabric"));
            Host.Run("ip", "netns", "add", Name("a"));
            Host.Run("ip", "netns", "add", Name("b")); // same prefix, not listed
            Host.Run("ip", "netns", "add", foreignNetns);
            Directory.CreateDirectory(pod);
            Directory.CreateDirectory(unlistedCgroup);
            // A leftover process in the listed pod cgroup: the sweep has to kill it to remove the cgroup.
            var leftover = Host.Run("sh", "-c", $"sh -c 'echo $$ > {pod}/cgroup.procs; exec sleep 60' >/dev/null 2>&1 & echo $!").Trim();
            Assert.True(SpinWait.SpinUntil(() => File.ReadAllLines($"{pod}/cgroup.procs").Length == 1, 5000), "leftover did not join its cgroup");
            File.WriteAllText($"{StateDir}/{id}.json", $$"""
                {"id":"{{id}}","ownerPid":{{Host.DeadPid()}},"ownerStartTime":0,
                 "netns":["{{Name("fabric")}}","{{Name("a")}}","{{foreignNetns}}"],
                 "cgroups":["{{node}}","{{pod}}"]}
                """);

            Assert.True(Lab.SweepStale() >= 1);

            var netns = Host.NetnsNames();
            Assert.DoesNotContain(Name("fabric"), netns);
            Assert.DoesNotContain(Name("a"), netns);
            Assert.Contains(Name("b"), netns);
            Assert.Contains(foreignNetns, netns);
            Assert.False(Directory.Exists(node));
            Assert.True(Directory.Exists(unlistedCgroup));
            Assert.False(File.Exists($"{StateDir}/{id}.json"));
            Assert.False(Host.ProcessExists(int.Parse(leftover, System.Globalization.CultureInfo.InvariantCulture)));
        }
        finally
        {
            foreach (var n in new[] { Name("fabric"), Name("a"), Name("b"), foreignNetns })
            {
                if (File.Exists($"/var/run/netns/{n}"))
                {
                    Host.Run("ip", "netns", "del", n);
                }
            }

            foreach (var dir in new[] { pod, node, unlistedCgroup }.Where(Directory.Exists))
            {
                File.WriteAllText($"{dir}/cgroup.kill", "1");
                Directory.Delete(dir);
            }

            File.Delete($"{StateDir}/{id}.json");
        }
    }

    [RootFact]
    public void SweepStale_leaves_a_live_owners_lab_alone()
    {
        using var lab = Lab.Create(nameof(CleanupTests));
        lab.AddNode("node1");

        Lab.SweepStale();

        Assert.True(File.Exists($"{StateDir}/{lab.Id}.json"));
        Assert.Single(Host.CgroupDirs(lab.Id));
    }
}

[CollectionDefinition(nameof(CleanupTests), DisableParallelization = true)]
public sealed class CleanupTestsRunAlone;
