using System.Buffers.Binary;
using System.Net;

namespace Weft.Policy;

/// <summary>
/// An address as a number, computed once per evaluation so that every CIDR test is a mask and a
/// compare, without allocating. IPv4-mapped IPv6 (what a dual-stack socket reports) counts as IPv4.
/// </summary>
internal readonly record struct AddressKey(bool IsKnown, bool IsIPv6, UInt128 Bits)
{
    public static AddressKey From(IPAddress? address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address is null || !address.TryWriteBytes(bytes, out var written))
        {
            return default;
        }

        if (written == 4)
        {
            return new(true, false, BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }

        return IsIPv4Mapped(bytes)
            ? new(true, false, BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]))
            : new(true, true, BinaryPrimitives.ReadUInt128BigEndian(bytes));
    }

    private static bool IsIPv4Mapped(ReadOnlySpan<byte> bytes) =>
        !bytes[..10].ContainsAnyExcept((byte)0) && bytes[10] == 0xFF && bytes[11] == 0xFF;
}
