namespace K8sCache.Sidecar.Caching;

/// <summary>
/// Least-recently-used eviction within a byte budget: a dictionary for lookup and an intrusive doubly linked list for
/// recency (head = most recent). One lock protects both; a hit costs a lookup and two pointer moves, and allocates
/// nothing.
/// </summary>
internal sealed class LruCacheStore : ICacheStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private Entry? _head;
    private Entry? _tail;
    private Entry? _sweepCursor;
    private long _maxBytes;
    private long _bytes;
    private long _evictions;

    public LruCacheStore(long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        _maxBytes = maxBytes;
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
                EvictToBudget();
            }
        }
    }

    public long Bytes => Volatile.Read(ref _bytes);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public long Evictions => Volatile.Read(ref _evictions);

    public long SizeOf(string key, int valueLength) => EntryAccounting.SizeOf(key, valueLength);

    public bool TryGet(string key, long nowMs, out CacheValue value) => TryGet(key.AsSpan(), nowMs, out value);

    public bool TryRead<TReader>(ReadOnlySpan<char> key, long nowMs, ref TReader reader)
        where TReader : ICacheValueReader, allows ref struct
    {
        if (!TryGet(key, nowMs, out var value) || value.Kind != ValueKind.String)
        {
            return false;
        }

        // Values are arrays never written to after they are stored: reading after the lock is safe.
        reader.Read(value.Value, value.ExpiresAtMs);
        return true;
    }

    public bool TryGet(ReadOnlySpan<char> key, long nowMs, out CacheValue value)
    {
        lock (_lock)
        {
            if (_entries.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var entry))
            {
                if (entry.ExpiresAtMs != 0 && entry.ExpiresAtMs <= nowMs)
                {
                    RemoveEntry(entry);
                }
                else
                {
                    MoveToFront(entry);
                    value = new CacheValue(entry.Value, entry.ExpiresAtMs, entry.Kind);
                    return true;
                }
            }
        }

        value = default;
        return false;
    }

    public bool Set(string key, byte[] value, long expiresAtMs, ValueKind kind = ValueKind.String)
    {
        var size = EntryAccounting.SizeOf(key, value.Length);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                RemoveEntry(existing);
            }

            if (size > _maxBytes)
            {
                return false;
            }

            var entry = new Entry(key, value, expiresAtMs, kind, size);
            _entries.Add(key, entry);
            AddToFront(entry);
            _bytes += size;
            EvictToBudget();
            return true;
        }
    }

    /// <summary>The places are the slab store's (<see cref="EncodedKey"/> hashes); each step looks at every entry,
    /// so a walk costs entries × steps: this store is the option for small caches.</summary>
    public ulong Scan(ulong cursor, int count, long nowMs, List<(string Key, ValueKind Kind)> keys)
    {
        if (cursor >= ICacheStore.ScanEnd)
        {
            return ICacheStore.ScanEnd;
        }

        lock (_lock)
        {
            var width = ICacheStore.ScanEnd * (ulong)Math.Max(1, count) / (ulong)Math.Max(1, _entries.Count);
            var end = Math.Min(ICacheStore.ScanEnd, cursor + Math.Max(1, width));
            Span<byte> buffer = stackalloc byte[EncodedKey.StackBytes];
            foreach (var entry in _entries.Values)
            {
                var place = EncodedKey.Encode(entry.Key, entry.Key.Length <= EncodedKey.StackChars ? buffer : new byte[EncodedKey.BufferBytes(entry.Key.Length)]).Hash >> 32;
                if (place >= cursor && place < end && (entry.ExpiresAtMs == 0 || entry.ExpiresAtMs > nowMs))
                {
                    keys.Add((entry.Key, entry.Kind));
                }
            }

            return end;
        }
    }

    public bool Remove(string key)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                return false;
            }

            RemoveEntry(entry);
            return true;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
            _head = _tail = _sweepCursor = null;
            _bytes = 0;
        }
    }

    public int RemoveWhere(Func<string, bool> predicate)
    {
        var removed = 0;
        lock (_lock)
        {
            for (var entry = _tail; entry is not null;)
            {
                var next = entry.Prev;
                if (predicate(entry.Key))
                {
                    RemoveEntry(entry);
                    removed++;
                }

                entry = next;
            }
        }

        return removed;
    }

    public int RemoveExpired(long nowMs, int maxScan)
    {
        var removed = 0;
        lock (_lock)
        {
            var entry = _sweepCursor ?? _tail;
            for (var scanned = 0; entry is not null && scanned < maxScan; scanned++)
            {
                var next = entry.Prev;
                if (entry.ExpiresAtMs != 0 && entry.ExpiresAtMs <= nowMs)
                {
                    RemoveEntry(entry);
                    removed++;
                }

                entry = next;
            }

            // Null when the sweep reached the head: the next call starts again from the tail.
            _sweepCursor = entry;
        }

        return removed;
    }

    // Caller holds _lock.
    private void EvictToBudget()
    {
        while (_bytes > _maxBytes && _tail is not null)
        {
            RemoveEntry(_tail);
            _evictions++;
        }
    }

    // Caller holds _lock.
    private void RemoveEntry(Entry entry)
    {
        _entries.Remove(entry.Key);
        if (_sweepCursor == entry)
        {
            _sweepCursor = entry.Prev;
        }

        Unlink(entry);
        _bytes -= entry.Size;
    }

    private void MoveToFront(Entry entry)
    {
        if (_head == entry)
        {
            return;
        }

        Unlink(entry);
        AddToFront(entry);
    }

    private void AddToFront(Entry entry)
    {
        entry.Prev = null;
        entry.Next = _head;
        if (_head is not null)
        {
            _head.Prev = entry;
        }

        _head = entry;
        _tail ??= entry;
    }

    private void Unlink(Entry entry)
    {
        if (entry.Prev is not null)
        {
            entry.Prev.Next = entry.Next;
        }
        else
        {
            _head = entry.Next;
        }

        if (entry.Next is not null)
        {
            entry.Next.Prev = entry.Prev;
        }
        else
        {
            _tail = entry.Prev;
        }

        entry.Prev = entry.Next = null;
    }

    private sealed class Entry(string key, byte[] value, long expiresAtMs, ValueKind kind, long size)
    {
        public string Key { get; } = key;

        public byte[] Value { get; } = value;

        public long ExpiresAtMs { get; } = expiresAtMs;

        public ValueKind Kind { get; } = kind;

        public long Size { get; } = size;

        public Entry? Prev { get; set; }

        public Entry? Next { get; set; }
    }
}
