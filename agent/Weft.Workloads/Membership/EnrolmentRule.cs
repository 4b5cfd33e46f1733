namespace Weft.Workloads;

/// <summary>The rule that decided a workload's enrolment, in the order the rules are checked.</summary>
public enum EnrolmentRule
{
    /// <summary>Not enrolled: the workload runs on another node, whose agent serves it.</summary>
    OtherNode,

    /// <summary>Not enrolled: the workload is labelled weft.io/mesh=disabled.</summary>
    WorkloadOptedOut,

    /// <summary>Not enrolled: the workload is labelled istio.io/dataplane-mode=none.</summary>
    WorkloadDataplaneModeNone,

    /// <summary>Enrolled: the namespace is labelled weft.io/mesh=enabled.</summary>
    NamespaceMeshEnabled,

    /// <summary>Enrolled: the namespace is labelled istio.io/dataplane-mode=ambient.</summary>
    NamespaceAmbient,

    /// <summary>Not enrolled: the namespace carries neither label.</summary>
    NamespaceNotInMesh,
}
