namespace Weft.Workloads;

/// <summary>
/// How Istio names a workload in its metrics: the controller's name rather than the pod's (so a
/// rollout does not start new time series), and the canonical service and revision from labels.
/// </summary>
public static class WorkloadNames
{
    /// <summary>Istio's fallback revision when no label names one.</summary>
    public const string LatestRevision = "latest";

    private static readonly string[] ServiceLabels = ["service.istio.io/canonical-name", "app.kubernetes.io/name", "app"];
    private static readonly string[] RevisionLabels = ["service.istio.io/canonical-revision", "app.kubernetes.io/version", "version"];

    /// <summary>source_workload / destination_workload: the controller, else the pod.</summary>
    public static string Workload(Workload w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return w.Controller ?? w.Name;
    }

    /// <summary>source_canonical_service (and source_app): the first naming label, else the workload name.</summary>
    public static string CanonicalService(Workload w) => FirstLabel(w, ServiceLabels) ?? Workload(w);

    /// <summary>source_canonical_revision (and source_version): the first version label, else "latest".</summary>
    public static string CanonicalRevision(Workload w) => FirstLabel(w, RevisionLabels) ?? LatestRevision;

    /// <summary>
    /// The workload a pod's controlling owner stands for: a ReplicaSet made by a Deployment (its
    /// name is the Deployment's plus the pod-template-hash) names the Deployment, a Job made by a
    /// CronJob (its name plus a scheduled-time suffix) the CronJob; any other owner itself.
    /// </summary>
    public static string? FromOwner(string kind, string name, IReadOnlyDictionary<string, string>? podLabels)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(name);
        if (kind == "ReplicaSet"
            && podLabels is not null
            && podLabels.TryGetValue("pod-template-hash", out var hash)
            && hash.Length > 0
            && name.Length > hash.Length + 1
            && name.EndsWith("-" + hash, StringComparison.Ordinal))
        {
            return name[..^(hash.Length + 1)];
        }

        if (kind == "Job" && CronJobSuffix(name) is var cut and > 0)
        {
            return name[..cut];
        }

        return name.Length > 0 ? name : null;
    }

    // A CronJob's Jobs are "<cronjob>-<scheduled time in minutes>": 8 to 10 digits after the last dash.
    private static int CronJobSuffix(string name)
    {
        var dash = name.LastIndexOf('-');
        var digits = name.Length - dash - 1;
        if (dash <= 0 || digits is < 8 or > 10)
        {
            return -1;
        }

        for (var i = dash + 1; i < name.Length; i++)
        {
            if (!char.IsAsciiDigit(name[i]))
            {
                return -1;
            }
        }

        return dash;
    }

    private static string? FirstLabel(Workload w, string[] keys)
    {
        ArgumentNullException.ThrowIfNull(w);
        foreach (var key in keys)
        {
            if (w.Labels.TryGetValue(key, out var value) && value.Length > 0)
            {
                return value;
            }
        }

        return null;
    }
}
