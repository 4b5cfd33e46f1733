namespace Weft.Policy;

/// <summary>A <see cref="PolicyOperation"/> flattened to arrays.</summary>
internal sealed class CompiledOperation(PolicyOperation operation)
{
    private readonly int[] ports = [.. operation.Ports];
    private readonly int[] notPorts = [.. operation.NotPorts];

    public bool Matches(int port) =>
        (ports.Length > 0 || notPorts.Length > 0)
        && (ports.Length == 0 || Array.IndexOf(ports, port) >= 0)
        && Array.IndexOf(notPorts, port) < 0;
}
