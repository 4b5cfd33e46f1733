namespace Weft.Policy;

/// <summary>A live connection that a new policy set no longer allows, with the decision that says why.</summary>
public readonly record struct RevokedConnection<T>(T Handle, ConnectionFacts Facts, Decision Decision);
