namespace Weft.Policy;

/// <summary>A <see cref="PolicyRule"/>: some source AND some operation; an empty side places no condition.</summary>
internal sealed class CompiledRule(PolicyRule rule)
{
    private readonly CompiledSource[] from = [.. rule.From.Select(s => new CompiledSource(s))];
    private readonly CompiledOperation[] to = [.. rule.To.Select(o => new CompiledOperation(o))];

    public bool Matches(in ConnectionFacts facts, in AddressKey source)
    {
        if (from.Length > 0 && !AnySource(facts.Source, source))
        {
            return false;
        }

        if (to.Length == 0)
        {
            return true;
        }

        foreach (var operation in to)
        {
            if (operation.Matches(facts.DestinationPort))
            {
                return true;
            }
        }

        return false;
    }

    private bool AnySource(PeerIdentity? peer, in AddressKey address)
    {
        foreach (var candidate in from)
        {
            if (candidate.Matches(peer, address))
            {
                return true;
            }
        }

        return false;
    }
}
