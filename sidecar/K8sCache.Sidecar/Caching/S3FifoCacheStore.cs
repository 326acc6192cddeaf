namespace K8sCache.Sidecar.Caching;

/// <summary>
/// S3-FIFO eviction within a byte budget (Yang et al., "FIFO queues are all you need for cache eviction", SOSP 2023)
/// over a compact layout: entries live in slab pages (<see cref="SlabArena"/>, layout in <see cref="SlabChunk"/>), found
/// through an open-addressing index (<see cref="KeyIndex"/>), queued through 4-byte links in their own headers. No object
/// per entry: 1,000,000 entries are a few thousand arrays for the GC.
/// <list type="bullet">
/// <item>A small FIFO (10% of the budget) that new keys enter, a main FIFO for the rest, and a ghost
/// (<see cref="GhostQueue"/>) that remembers the hashes of keys evicted from the small queue, as many as the main queue
/// holds entries.</item>
/// <item>A hit only raises the entry's 2-bit frequency (capped at 3): no reordering.</item>
/// <item>A new key enters the main queue if the ghost remembers it, else the small one.</item>
/// <item>Evicting from the small queue: an entry hit since it arrived moves to the main queue with its frequency
/// cleared; one that was not is evicted and remembered by the ghost. One-hit wonders, such as a scan, leave from here.</item>
/// <item>Evicting from the main queue: an entry with a frequency above 0 goes back to the head with its frequency lowered
/// by one (2-bit CLOCK); one at 0 is evicted.</item>
/// </list>
/// Values whose entry would not fit the largest chunk (16 KiB) are kept as their own arrays, referenced from a table, and
/// returned without a copy. Accounting: an entry costs its chunk (header, UTF-8 key and value, rounded up to the size
/// class) plus <see cref="IndexBytesPerEntry"/>; a large value adds its length and <see cref="LargeValueOverhead"/>.
/// Thread-safe under one lock; a hit is a hash, a probe and a copy of the value. Lookup, insertion and eviction share the
/// lock and the arena's state, so they stay one class (eviction in its own file, S3FifoCacheStore.Eviction.cs); its
/// queues (<see cref="ChunkFifo"/>), large values (<see cref="LargeValues"/>), index, ghost and pages are types of their own.
/// </summary>
[System.Runtime.CompilerServices.SkipLocalsInit]
internal sealed partial class S3FifoCacheStore : ICacheStore
{
    /// <summary>The index's share of an entry: a 4-byte slot in a table between 8/15 and 4/5 full, rounded up.</summary>
    public const int IndexBytesPerEntry = 8;

    /// <summary>A large value's array header and its slot in the table.</summary>
    public const int LargeValueOverhead = 32;

    /// <summary>The small queue's share of the budget: 1/10, the paper's choice.</summary>
    private const int SmallShareDivisor = 10;

    /// <summary>The ghost's table takes at most this share of the budget (1/16), or <see cref="MinGhostCapacity"/> hashes
    /// in a very small store.</summary>
    private const int GhostShareDivisor = 16;

    private const int MinGhostCapacity = 64;

    /// <summary>Pages a store may hold beyond its budget: room for the partly filled pages of the classes in use.</summary>
    private const int SparePages = 8;

    private readonly Lock _lock = new();
    private readonly SlabArena _arena = new();
    private readonly KeyIndex _index;
    private readonly GhostQueue _ghost = new();
    private readonly LargeValues _large = new();
    private ChunkFifo _small;
    private ChunkFifo _main;
    private int _sweepCursor;
    private bool _sweepingMain;
    private long _maxBytes;
    private long _bytes;
    private int _count;
    private long _evictions;

    public S3FifoCacheStore(long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        _index = new KeyIndex(_arena);
        _maxBytes = maxBytes;
        _arena.TargetPageBytes = PageBytesFor(maxBytes);
    }

    public long MaxBytes
    {
        get => Volatile.Read(ref _maxBytes);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_lock)
            {
                _maxBytes = value;
                _arena.TargetPageBytes = PageBytesFor(value);
                while (_bytes > _maxBytes && _count > 0)
                {
                    EvictOne();
                }

                if (_arena.PageBytes > PageLimit)
                {
                    _arena.ReleaseEmptyPages();
                }
            }
        }
    }

    public long Bytes => Volatile.Read(ref _bytes);

    public int Count => Volatile.Read(ref _count);

    public long Evictions => Volatile.Read(ref _evictions);

    /// <summary>Bytes the slab pages, the index and the ghost take in memory (the budget counts entries; this is what
    /// they cost, free chunks included).</summary>
    public long MemoryBytes
    {
        get
        {
            lock (_lock)
            {
                return _arena.PageBytes + _index.Bytes + _ghost.Bytes;
            }
        }
    }

    private long PageLimit => _maxBytes + SparePages * (long)_arena.TargetPageBytes;

    public long SizeOf(string key, int valueLength)
    {
        var keyBytes = EncodedKey.Encode(key, new byte[EncodedKey.BufferBytes(key.Length)]).Bytes.Length;
        var inline = IsInline(keyBytes, valueLength);
        return AccountedSize(SlabArena.ClassSize(SlabArena.ClassOf(SlabChunk.HeaderBytes + keyBytes + (inline ? valueLength : 0))), inline ? -1 : valueLength);
    }

    public bool TryGet(string key, long nowMs, out CacheValue value) => TryGet(key.AsSpan(), nowMs, out value);

    public bool TryGet(ReadOnlySpan<char> key, long nowMs, out CacheValue value)
    {
        Span<byte> buffer = key.Length <= EncodedKey.StackChars ? stackalloc byte[EncodedKey.StackBytes] : new byte[EncodedKey.BufferBytes(key.Length)];
        var encoded = EncodedKey.Encode(key, buffer);
        lock (_lock)
        {
            if (Lookup(encoded, nowMs, out var chunk) == 0)
            {
                value = default;
                return false;
            }

            // The value is copied out: the chunk is reused once the lock is released. A large value is its own array,
            // never written to after it was stored, and is returned as is.
            var bytes = SlabChunk.IsLarge(chunk) ? _large[SlabChunk.ValueField(chunk)] : SlabChunk.Value(chunk).ToArray();
            value = new CacheValue(bytes, SlabChunk.ExpiresAtMs(chunk), SlabChunk.Kind(chunk));
            return true;
        }
    }

    public bool TryRead<TReader>(ReadOnlySpan<char> key, long nowMs, ref TReader reader)
        where TReader : ICacheValueReader, allows ref struct
    {
        Span<byte> buffer = key.Length <= EncodedKey.StackChars ? stackalloc byte[EncodedKey.StackBytes] : new byte[EncodedKey.BufferBytes(key.Length)];
        var encoded = EncodedKey.Encode(key, buffer);
        lock (_lock)
        {
            if (Lookup(encoded, nowMs, out var chunk) == 0 || SlabChunk.Kind(chunk) != ValueKind.String)
            {
                return false;
            }

            reader.Read(SlabChunk.IsLarge(chunk) ? _large[SlabChunk.ValueField(chunk)] : SlabChunk.Value(chunk), SlabChunk.ExpiresAtMs(chunk));
            return true;
        }
    }

    public bool Set(string key, byte[] value, long expiresAtMs, ValueKind kind = ValueKind.String)
    {
        Span<byte> buffer = key.Length <= EncodedKey.StackChars ? stackalloc byte[EncodedKey.StackBytes] : new byte[EncodedKey.BufferBytes(key.Length)];
        var encoded = EncodedKey.Encode(key, buffer);
        if (encoded.Bytes.Length > SlabChunk.MaxKeyBytes)
        {
            throw new ArgumentException($"the key is {encoded.Bytes.Length} bytes; the store keeps keys up to {SlabChunk.MaxKeyBytes}", nameof(key));
        }

        var inline = IsInline(encoded.Bytes.Length, value.Length);
        var sizeClass = SlabArena.ClassOf(SlabChunk.HeaderBytes + encoded.Bytes.Length + (inline ? value.Length : 0));
        var size = AccountedSize(SlabArena.ClassSize(sizeClass), inline ? -1 : value.Length);
        lock (_lock)
        {
            var (frequency, inMain) = (0, false);
            var existing = _index.Find(encoded);
            if (existing != 0)
            {
                // A new value for a key in the cache is an access of the key: it keeps its queue and counts a hit.
                var chunk = _arena.Chunk(existing);
                (frequency, inMain) = (Math.Min(SlabChunk.Frequency(chunk) + 1, SlabChunk.MaxFrequency), SlabChunk.InMain(chunk));
                if (inline && !SlabChunk.IsLarge(chunk) && _arena.ClassOfChunk(existing) == sizeClass)
                {
                    // Same chunk size: the value is rewritten in place, keeping the entry's place, links and index slot.
                    SlabChunk.Write(chunk, encoded, value, -1, expiresAtMs, kind, frequency, inMain);
                    return true;
                }

                RemoveEntry(existing, encoded.Hash);
            }

            if (size > _maxBytes)
            {
                return false;
            }

            inMain |= _ghost.Remove(encoded.Hash, GhostCapacity());
            while (_bytes + size > _maxBytes && _count > 0)
            {
                EvictOne();
            }

            var reference = Allocate(sizeClass);
            SlabChunk.Write(_arena.Chunk(reference), encoded, value, inline ? -1 : _large.Add(value), expiresAtMs, kind, frequency, inMain);
            _index.Add(encoded.Hash, reference);
            (inMain ? ref _main : ref _small).AddHead(_arena, reference, size);
            _bytes += size;
            _count++;
            return true;
        }
    }

    public bool Remove(string key)
    {
        // Every write removes its key from the hot store, which is empty on a node without peers: nothing to look up.
        // A Set running meanwhile has not finished (it counts under the lock), so this Remove comes before it.
        if (Volatile.Read(ref _count) == 0)
        {
            return false;
        }

        Span<byte> buffer = key.Length <= EncodedKey.StackChars ? stackalloc byte[EncodedKey.StackBytes] : new byte[EncodedKey.BufferBytes(key.Length)];
        var encoded = EncodedKey.Encode(key, buffer);
        lock (_lock)
        {
            var reference = _index.Find(encoded);
            if (reference == 0)
            {
                return false;
            }

            RemoveEntry(reference, encoded.Hash);
            return true;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _arena.Clear();
            _index.Clear();
            _ghost.Clear();
            _large.Clear();
            (_small, _main, _sweepCursor, _bytes, _count) = (default, default, 0, 0, 0);
        }
    }

    public int RemoveWhere(Func<string, bool> predicate)
    {
        lock (_lock)
        {
            var doomed = new List<int>();
            foreach (var queueTail in (int[])[_small.Tail, _main.Tail])
            {
                for (var reference = queueTail; reference != 0; reference = SlabChunk.Newer(_arena.Chunk(reference)))
                {
                    var chunk = _arena.Chunk(reference);
                    if (predicate(new EncodedKey(SlabChunk.Key(chunk), SlabChunk.IsUtf16Key(chunk)).Decode()))
                    {
                        doomed.Add(reference);
                    }
                }
            }

            foreach (var reference in doomed)
            {
                RemoveEntry(reference, HashOf(reference));
            }

            return doomed.Count;
        }
    }

    public int RemoveExpired(long nowMs, int maxScan)
    {
        var removed = 0;
        lock (_lock)
        {
            // One cursor walks the small queue from its tail, then the main queue, then starts over.
            var reference = _sweepCursor != 0 ? _sweepCursor : _sweepingMain ? _main.Tail : _small.Tail;
            for (var scanned = 0; scanned < maxScan; scanned++)
            {
                if (reference == 0)
                {
                    _sweepingMain = !_sweepingMain;
                    reference = _sweepingMain ? _main.Tail : _small.Tail;
                    if (reference == 0)
                    {
                        break;
                    }
                }

                var chunk = _arena.Chunk(reference);
                var next = SlabChunk.Newer(chunk);
                var expiresAtMs = SlabChunk.ExpiresAtMs(chunk);
                if (expiresAtMs != 0 && expiresAtMs <= nowMs)
                {
                    RemoveEntry(reference, HashOf(reference));
                    removed++;
                }

                reference = next;
            }

            _sweepCursor = reference;
        }

        return removed;
    }

    /// <summary>Pages of 1/64 of the budget, between 4 and 128 KiB: a small store does not hold 128 KiB per size class.</summary>
    private static int PageBytesFor(long maxBytes) =>
        (int)Math.Clamp((long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, maxBytes / 64)), SlabArena.MinPageBytes, SlabArena.MaxPageBytes);

    private static bool IsInline(int keyBytes, int valueLength) => SlabChunk.HeaderBytes + keyBytes + valueLength <= SlabArena.MaxChunkBytes;

    private static long AccountedSize(int chunkBytes, int largeValueLength) =>
        chunkBytes + IndexBytesPerEntry + (largeValueLength < 0 ? 0 : largeValueLength + LargeValueOverhead);

    // The methods below run under _lock.

    /// <summary>The live entry holding the key, its frequency raised; 0 if none (an expired one is removed).</summary>
    private int Lookup(in EncodedKey key, long nowMs, out Span<byte> chunk)
    {
        var reference = _index.Find(key);
        if (reference == 0)
        {
            chunk = default;
            return 0;
        }

        chunk = _arena.Chunk(reference);
        var expiresAtMs = SlabChunk.ExpiresAtMs(chunk);
        if (expiresAtMs != 0 && expiresAtMs <= nowMs)
        {
            RemoveEntry(reference, key.Hash);
            return 0;
        }

        var frequency = SlabChunk.Frequency(chunk);
        if (frequency < SlabChunk.MaxFrequency)
        {
            SlabChunk.SetFrequency(chunk, frequency + 1);
        }

        return reference;
    }

    private ulong HashOf(int reference)
    {
        var chunk = _arena.Chunk(reference);
        return EncodedKey.HashOf(SlabChunk.Key(chunk), SlabChunk.IsUtf16Key(chunk));
    }

    private long SizeOfEntry(ReadOnlySpan<byte> chunk) =>
        AccountedSize(chunk.Length, SlabChunk.IsLarge(chunk) ? _large[SlabChunk.ValueField(chunk)].Length : -1);

    private void RemoveEntry(int reference, ulong hash)
    {
        var chunk = _arena.Chunk(reference);
        var size = SizeOfEntry(chunk);
        if (_sweepCursor == reference)
        {
            _sweepCursor = SlabChunk.Newer(chunk);
        }

        if (SlabChunk.IsLarge(chunk))
        {
            _large.Remove(SlabChunk.ValueField(chunk));
        }

        (SlabChunk.InMain(chunk) ? ref _main : ref _small).Unlink(_arena, reference, size);
        _index.Remove(hash, reference);
        _arena.Free(reference);
        _bytes -= size;
        _count--;
    }
}
