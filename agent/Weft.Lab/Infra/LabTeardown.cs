namespace Weft.Lab.Infra;

/// <summary>
/// Removes what a record lists — and only entries named for that lab. Used by Dispose and by
/// the stale sweep. Tolerates objects that are already gone; logs what it could not remove.
/// </summary>
internal static class LabTeardown
{
    /// <summary>Tears down and leaves in <paramref name="record"/> only what is still there.</summary>
    public static void Run(LabRecord record, Action<string> log)
    {
        var netns = Checked(record.Netns, n => LabNames.OwnsNetns(record.Id, n), "netns", record.Id, log);
        // Deepest first: pod cgroups before their node's.
        var cgroups = Checked(record.Cgroups, c => LabNames.OwnsCgroup(record.Id, c), "cgroup", record.Id, log)
            .OrderByDescending(c => c.Count(ch => ch == '/')).ToList();

        // Kill first, so no process keeps a namespace alive after its name is gone.
        cgroups.ForEach(Cgroups.Kill);
        // Reverse creation order: pods before the fabric that they hang off.
        record.Netns = [.. Enumerable.Reverse(netns).Where(n => !Netns.Delete(n, log)).Reverse()];
        record.Cgroups = [.. cgroups.Where(c => !Cgroups.Remove(c, log)).Reverse()];
    }

    private static List<string> Checked(List<string> items, Func<string, bool> owned, string what, string id, Action<string> log)
    {
        foreach (var bad in items.Where(i => !owned(i)))
        {
            log($"weft-lab: lab {id} lists {what} '{bad}', which is not named for it; leaving it alone");
        }

        return [.. items.Where(owned)];
    }
}
