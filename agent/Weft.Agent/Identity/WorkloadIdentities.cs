using Microsoft.Extensions.Logging;
using Weft.Identity;
using Weft.Workloads;

namespace Weft.Agent.Identity;

/// <summary>
/// The certificates of the identities present on this node: one per service account of an
/// enrolled pod, fetched as soon as the pod is enrolled (before its first connection needs it)
/// and let go when no enrolled pod uses it any more.
/// </summary>
public sealed class WorkloadIdentities : IDisposable
{
    private readonly ICertificateAuthorityClient ca;
    private HashSet<SpiffeId> tracked = [];

    private WorkloadIdentities(ICertificateAuthorityClient ca, CertificateManager manager)
    {
        this.ca = ca;
        Certificates = manager;
    }

    public CertificateManager Certificates { get; }

    /// <summary>Creates the configured CA client; bad CA files fail here, at start-up.</summary>
    public static WorkloadIdentities Create(IdentitySettings settings, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loggers);
        var options = ToOptions(settings);
        options.Validate();
        var log = loggers.CreateLogger("Weft.Identity");
        var ca = CertificateAuthorityFactory.Create(options, logger: log);
        return new WorkloadIdentities(ca, new CertificateManager(ca, CertificateManagerOptions.From(options), logger: log));
    }

    public static SpiffeId IdentityOf(LocalConfig config, Workload workload)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(workload);
        return SpiffeId.Create(config.TrustDomain, workload.Namespace, workload.ServiceAccount);
    }

    /// <summary>Makes the set of managed identities those of <paramref name="enrolled"/>.</summary>
    public void Track(LocalConfig config, IEnumerable<Workload> enrolled)
    {
        var want = enrolled.Select(w => IdentityOf(config, w)).ToHashSet();
        Certificates.Prefetch(want.Where(id => !tracked.Contains(id)));
        foreach (var gone in tracked.Where(id => !want.Contains(id)))
        {
            Certificates.Forget(gone);
        }

        tracked = want;
    }

    public void Dispose()
    {
        Certificates.Dispose();
        (ca as IDisposable)?.Dispose();
    }

    private static IdentityOptions ToOptions(IdentitySettings s) => new()
    {
        Ca = s.CaCert is { } cert && s.CaKey is { } key ? new CaFilesOptions(cert, key) : null,
        StateDir = s.StateDir,
        CertificateTtl = s.CertificateTtl,
        IstioCa = s.IstioCa is { } i
            ? new IstioCaOptions { Address = i.Address, RootCert = i.RootCert, TokenFile = i.TokenFile, ClusterId = i.ClusterId }
            : null,
    };
}
