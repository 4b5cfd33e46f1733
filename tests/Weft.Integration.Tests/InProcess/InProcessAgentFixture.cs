using Weft.Integration.Tests.TwoNode;
using Weft.Lab.Mesh;

namespace Weft.Integration.Tests.InProcess;

/// <summary>
/// The two-node mesh with node-a's agent in the test process (in-memory exporters) and node-b's
/// a separate `weft agent`, so node-a reports both as the source (its pods dialling node-b) and as
/// the destination (node-b's pods dialling web-a). Every span is sampled.
/// </summary>
public sealed class InProcessAgentFixture : TwoNodeFixture
{
    private InProcessAgent? agent;

    protected override bool StartsAgentA => false;

    protected override string? TelemetryYaml => "  tracing: { sampling: 1 }";

    internal InProcessAgent AgentA => agent ?? throw new InvalidOperationException("the lab was not created: these tests need root");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync().ConfigureAwait(false);
        if (Environment.IsPrivilegedProcess)
        {
            agent = await InProcessAgent.StartAsync(Mesh.ConfigPath(Mesh.NodeA), TwoNodeMesh.Wait).ConfigureAwait(false);
        }
    }

    /// <summary>Writes new configs (a policy section) and waits until both agents applied them.</summary>
    public async Task ReconfigureAsync(string? policyYaml)
    {
        var (a, b) = (AgentA.Log.Entries.Count, Mesh.AgentB.LineCount);
        Mesh.WriteConfigs(policyYaml);
        await AgentA.Log.WaitForAsync(e => e.EventId == 2, TwoNodeMesh.Wait, a).ConfigureAwait(false);
        await Mesh.AgentB.WaitForAsync(2, _ => true, TwoNodeMesh.Wait, b).ConfigureAwait(false);
    }

    public override async Task DisposeAsync()
    {
        // node-a's agent first: it detaches from the lab's cgroups before the lab removes them.
        if (agent is not null)
        {
            await agent.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
