namespace K8sCache.Sidecar.Caching;

/// <summary>
/// S3-FIFO eviction within a byte budget (Yang et al., "FIFO queues are all you need for cache eviction", SOSP 2023):
/// a small FIFO (10% of the budget) that new keys enter, a main FIFO for the rest, and a ghost FIFO that remembers the
/// hashes of keys evicted from the small queue (as many as the main queue can hold entries).
/// <list type="bullet">
/// <item>A hit only raises the entry's 2-bit frequency (capped at 3): no reordering.</item>
/// <item>A new key enters the main queue if the ghost remembers it (it came back soon after eviction), else the small one.</item>
/// <item>Evicting from the small queue: an entry that was hit since it arrived moves to the main queue with its frequency
/// cleared; one that was not is evicted and remembered by the ghost. One-hit wonders, such as a scan, leave from here
/// without disturbing the main queue.</item>
/// <item>Evicting from the main queue: an entry with a frequency above 0 is put back at the head with its frequency
/// lowered by one (2-bit CLOCK); one at 0 is evicted.</item>
/// </list>
/// Thread-safe under one lock, like <see cref="LruCacheStore"/>; a hit costs a lookup and a counter write.
/// </summary>
internal sealed class S3FifoCacheStore : ICacheStore
{
    /// <summary>The small queue's share of the budget: 1/10, the paper's choice.</summary>
    private const int SmallShareDivisor = 10;

    private const byte MaxFrequency = 3;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Fifo _small = new();
    private readonly Fifo _main = new();
    private readonly Queue<ulong> _ghostOrder = new();
    private readonly Dictionary<ulong, int> _ghost = [];
    private Entry? _sweepCursor;
    private bool _sweepingMain;
    private long _maxBytes;
    private long _bytes;
    private long _evictions;

    public S3FifoCacheStore(long maxBytes)
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

    public bool TryGet(string key, long nowMs, out CacheValue value) => TryGet(key.AsSpan(), nowMs, out value);

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
                    if (entry.Frequency < MaxFrequency)
                    {
                        entry.Frequency++;
                    }

                    value = new CacheValue(entry.Value, entry.ExpiresAtMs);
                    return true;
                }
            }
        }

        value = default;
        return false;
    }

    public bool Set(string key, byte[] value, long expiresAtMs)
    {
        var size = EntryAccounting.SizeOf(key, value.Length);
        lock (_lock)
        {
            byte frequency = 0;
            var inMain = false;
            if (_entries.TryGetValue(key, out var existing))
            {
                // A new value for a key in the cache is an access of the key: it keeps its queue and counts a hit.
                frequency = (byte)Math.Min(existing.Frequency + 1, MaxFrequency);
                inMain = existing.InMain;
                RemoveEntry(existing);
            }

            if (size > _maxBytes)
            {
                return false;
            }

            var hash = GhostHash(key);
            if (!inMain && _ghost.TryGetValue(hash, out var remembered))
            {
                inMain = true;
                Forget(hash, remembered);
            }

            var entry = new Entry(key, value, expiresAtMs, size) { Frequency = frequency, InMain = inMain };
            _entries.Add(key, entry);
            (inMain ? _main : _small).AddHead(entry);
            _bytes += size;
            EvictToBudget();
            return true;
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
            _small.Clear();
            _main.Clear();
            _ghost.Clear();
            _ghostOrder.Clear();
            _sweepCursor = null;
            _bytes = 0;
        }
    }

    public int RemoveWhere(Func<string, bool> predicate)
    {
        lock (_lock)
        {
            var doomed = _entries.Values.Where(e => predicate(e.Key)).ToArray();
            foreach (var entry in doomed)
            {
                RemoveEntry(entry);
            }

            return doomed.Length;
        }
    }

    public int RemoveExpired(long nowMs, int maxScan)
    {
        var removed = 0;
        lock (_lock)
        {
            // One cursor walks the small queue from its tail, then the main queue, then starts over.
            var entry = _sweepCursor ?? (_sweepingMain ? _main.Tail : _small.Tail);
            for (var scanned = 0; scanned < maxScan; scanned++)
            {
                if (entry is null)
                {
                    _sweepingMain = !_sweepingMain;
                    entry = _sweepingMain ? _main.Tail : _small.Tail;
                    if (entry is null)
                    {
                        break;
                    }
                }

                var next = entry.Prev;
                if (entry.ExpiresAtMs != 0 && entry.ExpiresAtMs <= nowMs)
                {
                    RemoveEntry(entry);
                    removed++;
                }

                entry = next;
            }

            _sweepCursor = entry;
        }

        return removed;
    }

    /// <summary>A 64-bit FNV-1a hash of the key for the ghost queue, which keeps hashes, not keys: a collision only
    /// admits a new key to the main queue.</summary>
    private static ulong GhostHash(string key)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    // Caller holds _lock.
    private void EvictToBudget()
    {
        while (_bytes > _maxBytes && _entries.Count > 0)
        {
            if (_small.Bytes > _maxBytes / SmallShareDivisor || _main.Tail is null)
            {
                EvictFromSmall();
            }
            else
            {
                EvictFromMain();
            }
        }
    }

    private void EvictFromSmall()
    {
        var tail = _small.Tail!;
        if (tail.Frequency > 0)
        {
            _small.Unlink(tail);
            tail.Frequency = 0;
            tail.InMain = true;
            _main.AddHead(tail);
            return;
        }

        RemoveEntry(tail);
        _evictions++;
        Remember(GhostHash(tail.Key));
    }

    private void EvictFromMain()
    {
        var tail = _main.Tail!;
        if (tail.Frequency > 0)
        {
            tail.Frequency--;
            _main.Unlink(tail);
            _main.AddHead(tail);
            return;
        }

        RemoveEntry(tail);
        _evictions++;
    }

    /// <summary>Adds a hash to the ghost queue, which holds as many hashes as the main queue can hold entries (its
    /// share of the budget over the entries' current mean size).</summary>
    private void Remember(ulong hash)
    {
        _ghostOrder.Enqueue(hash);
        _ghost[hash] = _ghost.GetValueOrDefault(hash) + 1;
        var mean = _entries.Count == 0 ? EntryAccounting.EntryOverhead : Math.Max(1, _bytes / _entries.Count);
        var capacity = Math.Max(1, (_maxBytes - _maxBytes / SmallShareDivisor) / mean);
        while (_ghostOrder.Count > capacity)
        {
            var oldest = _ghostOrder.Dequeue();
            if (_ghost.TryGetValue(oldest, out var count))
            {
                Forget(oldest, count);
            }
        }
    }

    /// <summary>One occurrence of <paramref name="hash"/> leaves the ghost queue (its place in the order is skipped
    /// when it comes up).</summary>
    private void Forget(ulong hash, int count)
    {
        if (count <= 1)
        {
            _ghost.Remove(hash);
        }
        else
        {
            _ghost[hash] = count - 1;
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

        (entry.InMain ? _main : _small).Unlink(entry);
        _bytes -= entry.Size;
    }

    private sealed class Entry(string key, byte[] value, long expiresAtMs, long size)
    {
        public string Key { get; } = key;

        public byte[] Value { get; } = value;

        public long ExpiresAtMs { get; } = expiresAtMs;

        public long Size { get; } = size;

        public byte Frequency { get; set; }

        public bool InMain { get; set; }

        public Entry? Prev { get; set; }

        public Entry? Next { get; set; }
    }

    /// <summary>A FIFO of entries (head: newest) with its byte and entry counts; doubly linked so a delete or an
    /// expiry can take an entry out of the middle.</summary>
    private sealed class Fifo
    {
        public Entry? Head { get; private set; }

        public Entry? Tail { get; private set; }

        public long Bytes { get; private set; }

        public int Count { get; private set; }

        public void AddHead(Entry entry)
        {
            entry.Prev = null;
            entry.Next = Head;
            if (Head is not null)
            {
                Head.Prev = entry;
            }

            Head = entry;
            Tail ??= entry;
            Bytes += entry.Size;
            Count++;
        }

        public void Unlink(Entry entry)
        {
            if (entry.Prev is not null)
            {
                entry.Prev.Next = entry.Next;
            }
            else
            {
                Head = entry.Next;
            }

            if (entry.Next is not null)
            {
                entry.Next.Prev = entry.Prev;
            }
            else
            {
                Tail = entry.Prev;
            }

            entry.Prev = entry.Next = null;
            Bytes -= entry.Size;
            Count--;
        }

        public void Clear()
        {
            Head = Tail = null;
            Bytes = 0;
            Count = 0;
        }
    }
}
