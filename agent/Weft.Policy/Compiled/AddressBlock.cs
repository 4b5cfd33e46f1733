using System.Net;

namespace Weft.Policy;

/// <summary>A CIDR as network bits and mask, tested against an <see cref="AddressKey"/>.</summary>
internal readonly struct AddressBlock
{
    private readonly bool isIPv6;
    private readonly UInt128 network;
    private readonly UInt128 mask;

    public AddressBlock(IPNetwork block)
    {
        var key = AddressKey.From(block.BaseAddress);
        var prefix = block.PrefixLength;

        // An IPv4-mapped block (::ffff:a.b.c.d/96+) means the IPv4 block, as sources are normalized.
        if (!key.IsIPv6 && block.BaseAddress.IsIPv4MappedToIPv6)
        {
            prefix = Math.Max(prefix - 96, 0);
        }

        isIPv6 = key.IsIPv6;
        var width = isIPv6 ? 128 : 32;
        mask = prefix == 0 ? UInt128.Zero : (UInt128.MaxValue << (width - prefix)) & (isIPv6 ? UInt128.MaxValue : uint.MaxValue);
        network = key.Bits & mask;
    }

    public bool Contains(in AddressKey address) =>
        address.IsKnown && address.IsIPv6 == isIPv6 && (address.Bits & mask) == network;
}
