using System.Runtime.InteropServices;

namespace K8sCache.Sidecar.Caching;

/// <summary>
/// The slab store's key lookup: open addressing with linear probing over an array of entry references (0 = empty),
/// kept at most 4/5 full and grown by half: 4 bytes per slot, 5 to 7.5 bytes per entry, no object per entry. The home
/// slot is the hash's top 32 bits scaled to the table's length, so the length need not be a power of two. Keys are
/// compared in the chunks themselves. A removal shifts the rest of its cluster back instead of leaving a tombstone, so
/// lookups never slow down with churn. The table is native memory, like the pages: a table left behind by a resize goes
/// back to the system at once instead of waiting in the GC's large-object heap. Not thread-safe: the store's lock guards
/// it.
/// </summary>
internal sealed unsafe class KeyIndex(SlabArena arena)
{
    private const int MinLength = 16;

    private Table _slots = Table.Allocate(MinLength);
    private int _count;

    ~KeyIndex()
    {
        _slots.Free();
    }

    /// <summary>Bytes of the table.</summary>
    public long Bytes => _slots.Length * (long)sizeof(int);

    /// <summary>The entry holding the key, or 0.</summary>
    public int Find(in EncodedKey key)
    {
        var slots = _slots;
        for (var slot = Home(key.Hash, slots.Length); ; slot = Next(slot, slots.Length))
        {
            var reference = slots[slot];
            if (reference == 0 || SlabChunk.KeyEquals(arena.Chunk(reference), key))
            {
                return reference;
            }
        }
    }

    /// <summary>Adds an entry whose key is not in the index.</summary>
    public void Add(ulong hash, int reference)
    {
        if ((_count + 1) * 5L > _slots.Length * 4L)
        {
            Resize(_slots.Length + _slots.Length / 2);
        }

        Place(_slots, hash, reference);
        _count++;
    }

    public void Remove(ulong hash, int reference)
    {
        var length = _slots.Length;
        var slot = Home(hash, length);
        while (_slots[slot] != reference)
        {
            slot = Next(slot, length);
        }

        // Backward shift: an entry further along the cluster moves into the hole unless its home lies after the hole.
        for (var next = Next(slot, length); _slots[next] != 0; next = Next(next, length))
        {
            var home = Home(HashOf(_slots[next]), length);
            if (Distance(home, next, length) >= Distance(slot, next, length))
            {
                _slots[slot] = _slots[next];
                slot = next;
            }
        }

        _slots[slot] = 0;
        _count--;
    }

    /// <summary>Adds to <paramref name="references"/> the entries whose place (the hash's top 32 bits) lies in
    /// [<paramref name="from"/>, returned), a range of about <paramref name="homeSlots"/> home slots. A home slot is
    /// monotonic in the place, and an entry sits at its home or further along its cluster, so the range's entries lie
    /// between its first home slot and the first empty slot after its last.</summary>
    public ulong Scan(ulong from, int homeSlots, List<int> references)
    {
        var length = _slots.Length;
        var start = (int)((from * (ulong)length) >> 32);
        var end = (int)Math.Min(length, start + (long)Math.Max(1, homeSlots));
        // The smallest place whose home is `end`: ceil(end * 2^32 / length).
        var to = end == length ? ICacheStore.ScanEnd : (((ulong)end << 32) + (ulong)length - 1) / (ulong)length;
        var slot = start;
        for (var steps = 0; steps < length; steps++, slot = Next(slot, length))
        {
            var reference = _slots[slot];
            if (reference == 0)
            {
                if (steps >= end - start)
                {
                    break;
                }

                continue;
            }

            var place = HashOf(reference) >> 32;
            if (place >= from && place < to)
            {
                references.Add(reference);
            }
        }

        return to;
    }

    public void Clear()
    {
        _slots.Free();
        _slots = Table.Allocate(MinLength);
        _count = 0;
    }

    private static int Home(ulong hash, int length) => (int)(((hash >> 32) * (ulong)length) >> 32);

    private static int Next(int slot, int length) => slot + 1 == length ? 0 : slot + 1;

    /// <summary>Steps from <paramref name="from"/> forward to <paramref name="to"/>, wrapping at the end.</summary>
    private static int Distance(int from, int to, int length) => to >= from ? to - from : to + length - from;

    private static void Place(Table slots, ulong hash, int reference)
    {
        var slot = Home(hash, slots.Length);
        while (slots[slot] != 0)
        {
            slot = Next(slot, slots.Length);
        }

        slots[slot] = reference;
    }

    private ulong HashOf(int reference)
    {
        var chunk = arena.Chunk(reference);
        return EncodedKey.HashOf(SlabChunk.Key(chunk), SlabChunk.IsUtf16Key(chunk));
    }

    private void Resize(int length)
    {
        var slots = Table.Allocate(length);
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is var reference and not 0)
            {
                Place(slots, HashOf(reference), reference);
            }
        }

        _slots.Free();
        _slots = slots;
    }

    /// <summary>A zeroed native array of slots. Indexes are computed inside [0, Length) by <see cref="Home"/> and
    /// <see cref="Next"/>, which is what keeps the unchecked accesses in bounds.</summary>
    private readonly struct Table(int* slots, int length)
    {
        public int Length { get; } = length;

        public ref int this[int index] => ref slots[index];

        public static Table Allocate(int length) => new((int*)NativeMemory.AllocZeroed((nuint)length, sizeof(int)), length);

        public void Free() => NativeMemory.Free(slots);
    }
}
