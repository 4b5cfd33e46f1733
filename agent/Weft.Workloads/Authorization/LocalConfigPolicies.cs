using Weft.Policy;

namespace Weft.Workloads;

/// <summary>Turns the config's policies into the <see cref="PolicySet"/> the proxy evaluates.</summary>
public static class LocalConfigPolicies
{
    /// <summary>Compiles the config's policies; this node's workloads (the only inbound destinations) are resolved up front.</summary>
    public static PolicySet CreatePolicySet(this LocalConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var local = config.Workloads.Where(w => w.Node == config.Node).Select(ToPolicyWorkload);
        return PolicySet.Create(config.Policies, config.Mtls, config.RootNamespace, local);
    }

    /// <summary>The workload as authorization sees it; make one per workload and reuse it for its connections.</summary>
    public static PolicyWorkload ToPolicyWorkload(this Workload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        return new PolicyWorkload { Uid = workload.Uid, Namespace = workload.Namespace, Labels = workload.Labels };
    }
}
