namespace K8sCache.Sidecar.Caching;

/// <summary>
/// S3-FIFO's ghost queue: the hashes of keys lately evicted from the small queue, the oldest forgotten once more than
/// the capacity were added after them. Kept as the reference implementation keeps it, a table of (fingerprint, insertion
/// tick) pairs in 8 bytes each, no queue: an entry older than the capacity counts as gone, and an insertion that finds its
/// probe window full overwrites the oldest entry there. A false "remembered" only admits a new key to the main queue.
/// Not thread-safe: the store's lock guards it.
/// </summary>
internal sealed class GhostQueue
{
    private const int Window = 8;

    private ulong[] _slots = [];
    private uint _tick;

    /// <summary>Bytes of the table (grown to the capacity asked for, never above it rounded to a power of two).</summary>
    public long Bytes => _slots.Length * (long)sizeof(ulong);

    public void Add(ulong hash, int capacity)
    {
        if (_slots.Length < capacity)
        {
            Grow(capacity);
        }

        var fingerprint = Fingerprint(hash);
        var mask = _slots.Length - 1;
        var start = Home(fingerprint, mask);
        var (victim, oldest) = (start, 0u);
        for (var i = 0; i < Window; i++)
        {
            var slot = (start + i) & mask;
            var age = Age(_slots[slot]);
            if (_slots[slot] == 0 || age >= (uint)capacity)
            {
                victim = slot;
                break;
            }

            if (age > oldest)
            {
                (victim, oldest) = (slot, age);
            }
        }

        _slots[victim] = ((ulong)fingerprint << 32) | _tick++;
    }

    /// <summary>True, and forgets it, when the hash was added within the last <paramref name="capacity"/> additions.</summary>
    public bool Remove(ulong hash, int capacity)
    {
        if (_slots.Length == 0)
        {
            return false;
        }

        var fingerprint = Fingerprint(hash);
        var mask = _slots.Length - 1;
        for (var i = 0; i < Window; i++)
        {
            var slot = (Home(fingerprint, mask) + i) & mask;
            var entry = _slots[slot];
            if (entry != 0 && (uint)(entry >> 32) == fingerprint && Age(entry) < (uint)capacity)
            {
                _slots[slot] = 0;
                return true;
            }
        }

        return false;
    }

    public void Clear()
    {
        _slots = [];
        _tick = 0;
    }

    /// <summary>The hash's upper half, never 0 (0 marks an empty slot).</summary>
    private static uint Fingerprint(ulong hash) => (uint)(hash >> 32) | 1;

    /// <summary>Where a fingerprint's probe window starts: from its own bits, so a table can grow without the hashes.</summary>
    private static int Home(uint fingerprint, int mask) => (int)(fingerprint >> 1) & mask;

    /// <summary>How many hashes were added after this one.</summary>
    private uint Age(ulong entry) => _tick - (uint)entry - 1;

    private void Grow(int capacity)
    {
        var old = _slots;
        _slots = new ulong[(int)Math.Min(1 << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity))];
        var mask = _slots.Length - 1;
        foreach (var entry in old)
        {
            for (var i = 0; entry != 0 && i < Window; i++)
            {
                var slot = (Home((uint)(entry >> 32), mask) + i) & mask;
                if (_slots[slot] == 0)
                {
                    _slots[slot] = entry;
                    break;
                }
            }
        }
    }
}
