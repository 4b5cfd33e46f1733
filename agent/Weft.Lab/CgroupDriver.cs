namespace Weft.Lab;

/// <summary>How kubelet names cgroups (its --cgroup-driver).</summary>
public enum CgroupDriver
{
    /// <summary>Nested systemd slices: kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod&lt;uid_&gt;.slice.</summary>
    Systemd,

    /// <summary>Plain directories: kubepods/burstable/pod&lt;uid&gt;.</summary>
    Cgroupfs,
}
