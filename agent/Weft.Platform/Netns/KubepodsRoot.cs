namespace Weft.Platform.Netns;

/// <summary>
/// A directory under which kubelet puts pod cgroups ("kubepods" for the cgroupfs driver,
/// "kubepods.slice" or "&lt;parent&gt;-kubepods.slice" for the systemd driver), and the pod
/// cgroup paths kubelet derives from it.
/// </summary>
internal sealed record KubepodsRoot(string Path, bool Systemd)
{
    private const string SliceSuffix = ".slice";

    /// <summary>The root a directory is, judged by its name; null if it is not one.</summary>
    public static KubepodsRoot? FromDirectory(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        if (name == "kubepods")
        {
            return new KubepodsRoot(path, Systemd: false);
        }

        // systemd slices repeat their parents' names: --cgroup-root=/kubelet.slice gives kubelet-kubepods.slice.
        return name == "kubepods.slice" || name.EndsWith("-kubepods.slice", StringComparison.Ordinal)
            ? new KubepodsRoot(path, Systemd: true)
            : null;
    }

    /// <summary>The pod's cgroup directory below this root, for one QoS class.</summary>
    public string PodCgroup(string podUid, PodQosClass qos)
    {
        if (!Systemd)
        {
            var pod = "pod" + podUid;
            return qos switch
            {
                PodQosClass.Guaranteed => System.IO.Path.Join(Path, pod),
                PodQosClass.Burstable => System.IO.Path.Join(Path, "burstable", pod),
                _ => System.IO.Path.Join(Path, "besteffort", pod),
            };
        }

        var name = System.IO.Path.GetFileName(Path);
        var slice = name[..^SliceSuffix.Length];
        // systemd reserves '-' as the slice separator, so kubelet writes the uid's dashes as '_'.
        var uid = podUid.Replace('-', '_');
        return qos switch
        {
            PodQosClass.Guaranteed => System.IO.Path.Join(Path, $"{slice}-pod{uid}{SliceSuffix}"),
            PodQosClass.Burstable => System.IO.Path.Join(Path, $"{slice}-burstable{SliceSuffix}", $"{slice}-burstable-pod{uid}{SliceSuffix}"),
            _ => System.IO.Path.Join(Path, $"{slice}-besteffort{SliceSuffix}", $"{slice}-besteffort-pod{uid}{SliceSuffix}"),
        };
    }
}
