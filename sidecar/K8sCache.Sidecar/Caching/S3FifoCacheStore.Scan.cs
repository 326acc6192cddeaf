namespace K8sCache.Sidecar.Caching;

/// <summary>The walk over every key (Redis's SCAN): places are the index's, so a step reads a slice of it.</summary>
internal sealed partial class S3FifoCacheStore
{
    public ulong Scan(ulong cursor, int count, long nowMs, List<(string Key, ValueKind Kind)> keys)
    {
        if (cursor >= ICacheStore.ScanEnd)
        {
            return ICacheStore.ScanEnd;
        }

        var references = new List<int>();
        lock (_lock)
        {
            var next = _index.Scan(cursor, count, references);
            foreach (var reference in references)
            {
                var chunk = _arena.Chunk(reference);
                var expiresAtMs = SlabChunk.ExpiresAtMs(chunk);
                if (expiresAtMs == 0 || expiresAtMs > nowMs)
                {
                    keys.Add((new EncodedKey(SlabChunk.Key(chunk), SlabChunk.IsUtf16Key(chunk)).Decode(), SlabChunk.Kind(chunk)));
                }
            }

            return next;
        }
    }
}
