namespace Weft.Tunnel.Http2.Hpack;

/// <summary>
/// HPACK's dynamic table (RFC 7541 §2.3.2, §4): newest entry first, sized by octets plus 32
/// per entry, oldest entries evicted to stay within the maximum. Kept as a ring.
/// </summary>
internal sealed class DynamicTable
{
    private HeaderField[] ring = new HeaderField[16];
    private int newest = -1; // ring index of the newest entry
    private int count;

    public DynamicTable(int maxSize)
    {
        MaxSize = maxSize;
    }

    public int Count => count;

    /// <summary>Octets in use, as HPACK counts them.</summary>
    public int Size { get; private set; }

    public int MaxSize { get; private set; }

    /// <summary>Entry 0 is the newest (HPACK index 62).</summary>
    public HeaderField this[int index]
    {
        get
        {
            if ((uint)index >= (uint)count)
            {
                throw new HpackException($"index {index + StaticTable.Count + 1} is beyond the dynamic table");
            }

            return ring[(newest - index + ring.Length) % ring.Length];
        }
    }

    public void SetMaxSize(int maxSize)
    {
        MaxSize = maxSize;
        EvictTo(maxSize);
    }

    public void Insert(HeaderField field)
    {
        var size = field.Size;
        if (size > MaxSize)
        {
            // An entry larger than the table empties it and is not added (RFC 7541 §4.4).
            EvictTo(0);
            return;
        }

        EvictTo(MaxSize - size);
        if (count == ring.Length)
        {
            Grow();
        }

        newest = (newest + 1) % ring.Length;
        ring[newest] = field;
        count++;
        Size += size;
    }

    private void EvictTo(int target)
    {
        while (Size > target && count > 0)
        {
            var oldest = (newest - count + 1 + ring.Length) % ring.Length;
            Size -= ring[oldest].Size;
            ring[oldest] = default;
            count--;
        }
    }

    private void Grow()
    {
        var bigger = new HeaderField[ring.Length * 2];
        for (var i = 0; i < count; i++)
        {
            // oldest first, so the newest ends at count - 1
            bigger[i] = ring[(newest - count + 1 + i + ring.Length) % ring.Length];
        }

        ring = bigger;
        newest = count - 1;
    }
}
