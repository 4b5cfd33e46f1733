namespace Weft.Policy;

/// <summary>What a rule is about on the destination side (Istio's <c>to.operation</c>, L4 part only).</summary>
/// <remarks>An operation with neither field set matches nothing.</remarks>
public sealed record PolicyOperation
{
    /// <summary>Destination ports; any may match.</summary>
    public IReadOnlyList<int> Ports { get; init; } = [];

    /// <summary>Destination ports that make the operation not match.</summary>
    public IReadOnlyList<int> NotPorts { get; init; } = [];

    public bool IsEmpty => Ports.Count == 0 && NotPorts.Count == 0;
}
