namespace Weft.Integration.Tests.TwoNode;

/// <summary>The traffic and tunnel-listener tests share one two-node mesh (they change no config).</summary>
[CollectionDefinition(Name)]
public sealed class SharedTwoNodeMesh : ICollectionFixture<TwoNodeFixture>
{
    public const string Name = "two-node";
}
