namespace Weft.Tunnel.Hbone;

/// <summary>
/// How many inbound TLS handshakes may be in progress at once, shared by all of a node's tunnel
/// listeners. A client that connects and never finishes its handshake holds a socket and TLS state
/// until the handshake timeout, before anyone has proved an identity; unbounded, a flood of them
/// would exhaust the one agent that serves every pod. Beyond the limit a new connection is closed
/// at once, before any TLS byte (handshake result "Overloaded").
/// </summary>
public sealed class HandshakeLimit
{
    /// <summary>The default for an agent: far above what honest peers need (a handshake takes milliseconds).</summary>
    public const int DefaultMax = 512;

    private int inFlight;

    public HandshakeLimit(int max = DefaultMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        Max = max;
    }

    public int Max { get; }

    public int InFlight => Volatile.Read(ref inFlight);

    /// <summary>Takes a slot, or says there is none; every successful call must be paired with <see cref="Exit"/>.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref inFlight) <= Max)
        {
            return true;
        }

        Interlocked.Decrement(ref inFlight);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref inFlight);
}
