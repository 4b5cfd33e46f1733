namespace Weft.Lab.Infra;

/// <summary>
/// What one lab created, kept in /run/weft-lab/&lt;id&gt;.json so that a lab whose process was
/// killed can be swept later. Objects are listed before they are created (write-ahead), so
/// a crash between the two cannot leak them. Veths are not listed: they live only inside
/// lab namespaces and go with them.
/// </summary>
internal sealed class LabRecord
{
    public string Id { get; set; } = "";

    public int OwnerPid { get; set; }

    /// <summary>The owner's start time (/proc/PID/stat field 22), so a reused pid is not taken for the owner.</summary>
    public long OwnerStartTime { get; set; }

    public string? Tag { get; set; }

    public DateTimeOffset Created { get; set; }

    public List<string> Netns { get; set; } = [];

    /// <summary>Cgroup directories, parents before children (removal goes in reverse).</summary>
    public List<string> Cgroups { get; set; } = [];
}
