namespace Weft.Tunnel.Http2;

/// <summary>
/// What is remembered about stream ids no longer active, to tell apart the errors RFC 9113
/// gives different codes: an id the peer skipped (using it later goes backwards: PROTOCOL_ERROR)
/// from one that was used and closed (STREAM_CLOSED), and ids we reset recently, whose late
/// frames the peer could not withhold and we must ignore (§5.1, "closed"). Both memories are
/// bounded; past them an old id counts as plainly closed.
/// </summary>
internal sealed class StreamIdHistory
{
    private const int MaxSkippedRanges = 16;
    private const int ResetMemory = 256;

    private readonly List<(int From, int To)> skipped = [];
    private readonly int[] recentlyReset = new int[ResetMemory];
    private int resetNext;

    /// <summary>The peer opened <paramref name="id"/> after <paramref name="previous"/>, skipping the ids between of the same parity.</summary>
    public void Opened(int previous, int id)
    {
        if (id - previous > 2)
        {
            if (skipped.Count == MaxSkippedRanges)
            {
                skipped.RemoveAt(0);
            }

            skipped.Add((previous + 2, id - 2));
        }
    }

    public bool WasSkipped(int id)
    {
        foreach (var (from, to) in skipped)
        {
            if (id >= from && id <= to)
            {
                return true;
            }
        }

        return false;
    }

    public void Reset(int id)
    {
        recentlyReset[resetNext] = id;
        resetNext = (resetNext + 1) % ResetMemory;
    }

    public bool WasReset(int id) => id != 0 && Array.IndexOf(recentlyReset, id) >= 0;
}
