namespace Weft.Policy;

/// <summary>A <see cref="PolicySource"/> flattened to arrays, so matching walks them without enumerators.</summary>
internal sealed class CompiledSource(PolicySource source)
{
    private readonly StringMatch[] principals = [.. source.Principals];
    private readonly StringMatch[] notPrincipals = [.. source.NotPrincipals];
    private readonly StringMatch[] namespaces = [.. source.Namespaces];
    private readonly StringMatch[] notNamespaces = [.. source.NotNamespaces];
    private readonly ServiceAccountRef[] serviceAccounts = [.. source.ServiceAccounts];
    private readonly ServiceAccountRef[] notServiceAccounts = [.. source.NotServiceAccounts];
    private readonly AddressBlock[] ipBlocks = [.. source.IpBlocks.Select(b => new AddressBlock(b))];
    private readonly AddressBlock[] notIpBlocks = [.. source.NotIpBlocks.Select(b => new AddressBlock(b))];
    private readonly bool isEmpty = source.IsEmpty;

    /// <summary>
    /// Every set field must hold. Without an identity (plaintext) a positive identity field fails and a
    /// negative one holds: Istio compares them with an empty value (ISTIO-SECURITY-2021-004).
    /// </summary>
    public bool Matches(PeerIdentity? peer, in AddressKey address)
    {
        if (isEmpty)
        {
            return false;
        }

        if (principals.Length > 0 && (peer is null || !Any(principals, peer.Principal)))
        {
            return false;
        }

        if (notPrincipals.Length > 0 && peer is not null && Any(notPrincipals, peer.Principal))
        {
            return false;
        }

        if (namespaces.Length > 0 && (peer is null || !Any(namespaces, peer.Namespace)))
        {
            return false;
        }

        if (notNamespaces.Length > 0 && peer is not null && Any(notNamespaces, peer.Namespace))
        {
            return false;
        }

        if (serviceAccounts.Length > 0 && (peer is null || !Any(serviceAccounts, peer)))
        {
            return false;
        }

        if (notServiceAccounts.Length > 0 && peer is not null && Any(notServiceAccounts, peer))
        {
            return false;
        }

        if (ipBlocks.Length > 0 && !Any(ipBlocks, address))
        {
            return false;
        }

        return notIpBlocks.Length == 0 || !Any(notIpBlocks, address);
    }

    private static bool Any(StringMatch[] patterns, string value)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.Matches(value))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Any(ServiceAccountRef[] accounts, PeerIdentity peer)
    {
        foreach (var account in accounts)
        {
            if (account.Matches(peer))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Any(AddressBlock[] blocks, in AddressKey address)
    {
        foreach (var block in blocks)
        {
            if (block.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
