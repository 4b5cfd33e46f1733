namespace Weft.Workloads;

/// <summary>
/// Which workloads this node's agent captures. Opt-in per namespace, opt-out per workload,
/// honouring Istio ambient's labels too so namespaces already labelled for ambient work unchanged.
/// </summary>
public static class MeshMembership
{
    public const string MeshLabel = "weft.io/mesh";
    public const string MeshEnabled = "enabled";
    public const string MeshDisabled = "disabled";
    public const string IstioDataplaneModeLabel = "istio.io/dataplane-mode";
    public const string IstioAmbient = "ambient";
    public const string IstioNone = "none";

    public static bool IsEnrolled(LocalConfig config, Workload workload) => Reason(config, workload).IsEnrolled;

    /// <summary>The enrolment decision with the rule that made it, for logs.</summary>
    public static Enrolment Reason(LocalConfig config, Workload workload)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(workload);

        if (workload.Node != config.Node)
        {
            return new(false, EnrolmentRule.OtherNode, $"not enrolled: runs on node {workload.Node}, this is {config.Node}");
        }

        return MeshReason(config, workload);
    }

    /// <summary>
    /// Whether the workload is in the mesh, on whichever node it runs: its node's agent then serves
    /// HBONE for it, so connections to it are tunnelled (and it proves its identity).
    /// </summary>
    public static bool InMesh(LocalConfig config, Workload workload)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(workload);
        return MeshReason(config, workload).IsEnrolled;
    }

    private static Enrolment MeshReason(LocalConfig config, Workload workload)
    {
        if (Has(workload.Labels, MeshLabel, MeshDisabled))
        {
            return new(false, EnrolmentRule.WorkloadOptedOut, $"not enrolled: workload is labelled {MeshLabel}={MeshDisabled}");
        }

        if (Has(workload.Labels, IstioDataplaneModeLabel, IstioNone))
        {
            return new(false, EnrolmentRule.WorkloadDataplaneModeNone, $"not enrolled: workload is labelled {IstioDataplaneModeLabel}={IstioNone}");
        }

        var ns = config.GetNamespace(workload.Namespace);
        if (Has(ns.Labels, MeshLabel, MeshEnabled))
        {
            return new(true, EnrolmentRule.NamespaceMeshEnabled, $"enrolled: namespace {ns.Name} is labelled {MeshLabel}={MeshEnabled}");
        }

        if (Has(ns.Labels, IstioDataplaneModeLabel, IstioAmbient))
        {
            return new(true, EnrolmentRule.NamespaceAmbient, $"enrolled: namespace {ns.Name} is labelled {IstioDataplaneModeLabel}={IstioAmbient}");
        }

        return new(false, EnrolmentRule.NamespaceNotInMesh,
            $"not enrolled: namespace {ns.Name} is labelled neither {MeshLabel}={MeshEnabled} nor {IstioDataplaneModeLabel}={IstioAmbient}");
    }

    /// <summary>The workloads this node's agent captures, in config order.</summary>
    public static IReadOnlyList<Workload> EnrolledWorkloads(LocalConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Workloads.Where(w => IsEnrolled(config, w)).ToArray();
    }

    private static bool Has(IReadOnlyDictionary<string, string> labels, string key, string value) =>
        labels.TryGetValue(key, out var actual) && actual == value;
}
