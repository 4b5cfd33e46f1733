namespace Weft.Integration.Tests;

/// <summary>One lab and agent shared by the traffic tests of a class (the agent is started once).</summary>
public sealed class MeshFixture : IAsyncLifetime
{
    private MeshLab? mesh;

    public MeshLab Mesh => mesh ?? throw new InvalidOperationException(
        "the lab was not created: these tests need root (with CI=true a missing privilege fails)");

    public async Task InitializeAsync()
    {
        if (Environment.IsPrivilegedProcess)
        {
            mesh = await MeshLab.CreateAsync().ConfigureAwait(false);
        }
    }

    public async Task DisposeAsync()
    {
        if (mesh is not null)
        {
            await mesh.DisposeAsync().ConfigureAwait(false);
        }
    }
}
