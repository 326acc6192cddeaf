namespace K8sCache.Sidecar.Caching;

/// <summary>
/// The store's eviction, as S3-FIFO makes it: where a new entry's chunk comes from (a free chunk, a new page, another
/// class's emptiest page, or room made by evicting), and which entry leaves — from the small queue (a one-hit wonder,
/// remembered by the ghost) or the main queue (2-bit CLOCK). Called with the store's lock held.
/// </summary>
internal sealed partial class S3FifoCacheStore
{
    /// <summary>As many hashes as the main queue can hold entries (its share of the budget over the mean entry size), but
    /// no more than a power of two that fits in 1/16 of the budget at 8 bytes each: the ghost is memory the budget does not
    /// count, and only entries of under 115 to 230 accounted bytes would want more.</summary>
    private int GhostCapacity()
    {
        var mean = _count == 0 ? SlabArena.ClassSize(0) + IndexBytesPerEntry : Math.Max(1, _bytes / _count);
        var cap = Math.Max(MinGhostCapacity, 1L << System.Numerics.BitOperations.Log2((ulong)Math.Max(1, _maxBytes / GhostShareDivisor / sizeof(ulong))));
        return (int)Math.Clamp((_maxBytes - _maxBytes / SmallShareDivisor) / mean, 1, Math.Min(cap, 1 << 30));
    }

    /// <summary>A chunk of the class: a free one, a new page while the pages stay within <see cref="PageLimit"/>, the page
    /// of another class that holds the fewest entries (evicting them), or room made by the policy. Only a store with
    /// nothing left to evict and no page big enough goes past the limit, by the one page this entry needs.</summary>
    private int Allocate(int sizeClass)
    {
        while (true)
        {
            var reference = _arena.TryAllocate(sizeClass, _arena.PageBytes + _arena.NewPageBytes(sizeClass) <= PageLimit);
            if (reference != 0)
            {
                return reference;
            }

            var page = _arena.EmptiestPageFor(sizeClass);
            if (page >= 0)
            {
                EvictPage(page);
                _arena.Reassign(page, sizeClass);
            }
            else if (_count > 0)
            {
                EvictOne();
            }
            else
            {
                reference = _arena.TryAllocate(sizeClass, mayAddPage: true);
                return reference != 0 ? reference : throw new InvalidOperationException("the slab arena has no page left to add");
            }
        }
    }

    private void EvictPage(int page)
    {
        for (var index = 0; index < _arena.CarvedCount(page); index++)
        {
            var reference = _arena.ReferenceAt(page, index);
            if (!SlabChunk.IsFree(_arena.Chunk(reference)))
            {
                RemoveEntry(reference, HashOf(reference));
                _evictions++;
            }
        }
    }

    private void EvictOne()
    {
        if (_small.Bytes > _maxBytes / SmallShareDivisor || _main.Tail == 0)
        {
            EvictFromSmall();
        }
        else
        {
            EvictFromMain();
        }
    }

    private void EvictFromSmall()
    {
        var tail = _small.Tail;
        var chunk = _arena.Chunk(tail);
        if (SlabChunk.Frequency(chunk) > 0)
        {
            var size = SizeOfEntry(chunk);
            _small.Unlink(_arena, tail, size);
            SlabChunk.SetFrequency(chunk, 0);
            SlabChunk.SetInMain(chunk, true);
            _main.AddHead(_arena, tail, size);
            return;
        }

        var hash = HashOf(tail);
        RemoveEntry(tail, hash);
        _evictions++;
        _ghost.Add(hash, GhostCapacity());
    }

    private void EvictFromMain()
    {
        var tail = _main.Tail;
        var chunk = _arena.Chunk(tail);
        var frequency = SlabChunk.Frequency(chunk);
        if (frequency > 0)
        {
            var size = SizeOfEntry(chunk);
            SlabChunk.SetFrequency(chunk, frequency - 1);
            _main.Unlink(_arena, tail, size);
            _main.AddHead(_arena, tail, size);
            return;
        }

        RemoveEntry(tail, HashOf(tail));
        _evictions++;
    }
}
