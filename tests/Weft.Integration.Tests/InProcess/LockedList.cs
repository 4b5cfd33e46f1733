using System.Collections;

namespace Weft.Integration.Tests.InProcess;

/// <summary>A list an exporter appends to on its thread while a test reads copies of it.</summary>
internal sealed class LockedList<T> : ICollection<T>
{
    private readonly List<T> items = [];
    private readonly Lock sync = new();

    public int Count
    {
        get
        {
            lock (sync)
            {
                return items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public List<T> Snapshot()
    {
        lock (sync)
        {
            return [.. items];
        }
    }

    public void Add(T item)
    {
        lock (sync)
        {
            items.Add(item);
        }
    }

    public void Clear()
    {
        lock (sync)
        {
            items.Clear();
        }
    }

    public bool Contains(T item)
    {
        lock (sync)
        {
            return items.Contains(item);
        }
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (sync)
        {
            items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(T item)
    {
        lock (sync)
        {
            return items.Remove(item);
        }
    }

    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
