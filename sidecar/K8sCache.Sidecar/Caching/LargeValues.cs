namespace K8sCache.Sidecar.Caching;

/// <summary>
/// Values too large for the biggest slab chunk, kept as their own arrays and referenced from their entry by a slot
/// number (the chunk's value field). Slots are reused; the table only grows. Not thread-safe: the store's lock guards it.
/// </summary>
internal sealed class LargeValues
{
    private readonly Stack<int> _free = new();
    private byte[]?[] _values = [];
    private int _used;

    public byte[] this[int slot] => _values[slot]!;

    /// <summary>Keeps <paramref name="value"/> (never written again by anyone) and returns its slot.</summary>
    public int Add(byte[] value)
    {
        if (!_free.TryPop(out var slot))
        {
            slot = _used++;
            if (slot == _values.Length)
            {
                Array.Resize(ref _values, Math.Max(4, slot * 2));
            }
        }

        _values[slot] = value;
        return slot;
    }

    public void Remove(int slot)
    {
        _values[slot] = null;
        _free.Push(slot);
    }

    public void Clear()
    {
        _values = [];
        _used = 0;
        _free.Clear();
    }
}
