namespace Weft.Lab.Infra;

/// <summary>Finds lab records whose owner process is gone and tears those labs down.</summary>
internal static class StaleSweep
{
    public static int Run(Action<string> log)
    {
        using var sweepLock = StateStore.TryLockSweep(TimeSpan.FromSeconds(10));
        if (sweepLock is null)
        {
            log("weft-lab: another sweep holds the lock; skipping");
            return 0;
        }

        var swept = 0;
        foreach (var path in StateStore.AllRecordPaths())
        {
            var record = StateStore.TryRead(path);
            // A record still being written reads as null; one whose name does not match its id is not ours to trust.
            if (record is null || !LabNames.IsLabId(record.Id) || Path.GetFileName(path) != record.Id + ".json"
                || OwnerProcess.IsAlive(record.OwnerPid, record.OwnerStartTime))
            {
                continue;
            }

            LabTeardown.Run(record, log);
            if (record.Netns.Count == 0 && record.Cgroups.Count == 0)
            {
                File.Delete(path);
                swept++;
            }
            else
            {
                log($"weft-lab: stale lab {record.Id} still has {string.Join(", ", record.Netns.Concat(record.Cgroups))}");
                StateStore.Write(record);
            }
        }

        return swept;
    }
}
