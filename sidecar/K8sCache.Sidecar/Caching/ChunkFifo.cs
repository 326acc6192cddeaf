namespace K8sCache.Sidecar.Caching;

/// <summary>
/// A FIFO of slab entries linked through the 4-byte <c>older</c>/<c>newer</c> references in their own headers
/// (<see cref="SlabChunk"/>): head the newest, tail the oldest, 0 when empty; no node object per entry. What must stay
/// true: an entry is in at most one queue, and <see cref="Bytes"/> is the sum of the sizes it was added with.
/// </summary>
internal struct ChunkFifo
{
    public int Head;
    public int Tail;
    public long Bytes;

    /// <summary>Makes <paramref name="reference"/> the newest entry.</summary>
    public void AddHead(SlabArena arena, int reference, long size)
    {
        var chunk = arena.Chunk(reference);
        SlabChunk.SetNewer(chunk, 0);
        SlabChunk.SetOlder(chunk, Head);
        if (Head != 0)
        {
            SlabChunk.SetNewer(arena.Chunk(Head), reference);
        }
        else
        {
            Tail = reference;
        }

        Head = reference;
        Bytes += size;
    }

    /// <summary>Takes <paramref name="reference"/> out, joining its neighbours.</summary>
    public void Unlink(SlabArena arena, int reference, long size)
    {
        var chunk = arena.Chunk(reference);
        var (older, newer) = (SlabChunk.Older(chunk), SlabChunk.Newer(chunk));
        if (newer != 0)
        {
            SlabChunk.SetOlder(arena.Chunk(newer), older);
        }
        else
        {
            Head = older;
        }

        if (older != 0)
        {
            SlabChunk.SetNewer(arena.Chunk(older), newer);
        }
        else
        {
            Tail = newer;
        }

        Bytes -= size;
    }
}
