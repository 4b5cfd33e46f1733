namespace Weft.Platform.Netns;

/// <summary>A pod's quality-of-service class (pod.status.qosClass); kubelet puts each in its own cgroup branch.</summary>
public enum PodQosClass
{
    Guaranteed,
    Burstable,
    BestEffort,
}

public static class PodQosClasses
{
    /// <summary>
    /// Parses pod.status.qosClass ("Guaranteed", "Burstable", "BestEffort"). Null for an empty or
    /// unknown value: the finder then tries every class, which beats missing a pod.
    /// </summary>
    public static PodQosClass? Parse(string? qosClass) => qosClass switch
    {
        "Guaranteed" => PodQosClass.Guaranteed,
        "Burstable" => PodQosClass.Burstable,
        "BestEffort" => PodQosClass.BestEffort,
        _ => null,
    };
}
