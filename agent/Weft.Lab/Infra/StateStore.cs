using System.Text.Json;

namespace Weft.Lab.Infra;

/// <summary>Reads and writes lab records in /run/weft-lab (tmpfs: a reboot clears labs and records alike).</summary>
internal static class StateStore
{
    public static string PathFor(string id) => Path.Combine(LabNames.StateDir, id + ".json");

    /// <summary>Writes to a temporary file and renames it, so a reader never sees half a record.</summary>
    public static void Write(LabRecord record)
    {
        Directory.CreateDirectory(LabNames.StateDir);
        var path = PathFor(record.Id);
        var tmp = path + ".tmp";
        File.WriteAllBytes(tmp, JsonSerializer.SerializeToUtf8Bytes(record, LabJsonContext.Default.LabRecord));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Claims a fresh file for <paramref name="record"/>; false if its id is taken.</summary>
    public static bool TryCreate(LabRecord record)
    {
        Directory.CreateDirectory(LabNames.StateDir);
        try
        {
            using (new FileStream(PathFor(record.Id), FileMode.CreateNew, FileAccess.Write))
            {
            }
        }
        catch (IOException) when (File.Exists(PathFor(record.Id)))
        {
            return false;
        }

        Write(record);
        return true;
    }

    public static LabRecord? TryRead(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), LabJsonContext.Default.LabRecord);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static IEnumerable<string> AllRecordPaths() =>
        Directory.Exists(LabNames.StateDir) ? Directory.EnumerateFiles(LabNames.StateDir, "*.json") : [];

    public static void Delete(string id) => File.Delete(PathFor(id));

    /// <summary>Serialises sweeps between processes (flock through FileShare.None).</summary>
    public static FileStream? TryLockSweep(TimeSpan wait)
    {
        Directory.CreateDirectory(LabNames.StateDir);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                return new FileStream(Path.Combine(LabNames.StateDir, ".sweep.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }
}
