namespace Weft.Integration.Tests.TwoNode;

/// <summary>One two-node mesh shared by the tests of a class.</summary>
public class TwoNodeFixture : IAsyncLifetime
{
    private TwoNodeMesh? mesh;

    public TwoNodeMesh Mesh => mesh ?? throw new InvalidOperationException(
        "the lab was not created: these tests need root (with CI=true a missing privilege fails)");

    /// <summary>identity.certificateTtl for the agents; null for the default.</summary>
    protected virtual string? CertificateTtl => null;

    /// <summary>Extra lines in the agents' telemetry section (otlp, tracing); null for none.</summary>
    protected virtual string? TelemetryYaml => null;

    /// <summary>False when the fixture runs node-a's agent itself (in-process); then Mesh.AgentA is null.</summary>
    protected virtual bool StartsAgentA => true;

    /// <summary>True for `weft agent --kubernetes` against a stand-in API server holding the same cluster.</summary>
    protected virtual bool Kubernetes => false;

    public virtual async Task InitializeAsync()
    {
        if (Environment.IsPrivilegedProcess)
        {
            mesh = await TwoNodeMesh.CreateAsync(CertificateTtl, TelemetryYaml, StartsAgentA, Kubernetes).ConfigureAwait(false);
        }
    }

    public virtual async Task DisposeAsync()
    {
        if (mesh is not null)
        {
            await mesh.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Agents whose certificates live one minute, so they rotate within a test.</summary>
public sealed class ShortLivedCertificatesFixture : TwoNodeFixture
{
    protected override string? CertificateTtl => "1m";
}

/// <summary>The same mesh with the agents in Kubernetes mode: the cluster comes from a stand-in API server.</summary>
public sealed class KubernetesTwoNodeFixture : TwoNodeFixture
{
    protected override bool Kubernetes => true;
}
