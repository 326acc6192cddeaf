using System.Runtime.InteropServices;

namespace K8sCache.Sidecar.Caching;

/// <summary>
/// Memory for the slab store's entries: pages (native memory blocks of up to 128 KiB, outside the GC's heap) cut into
/// equal chunks, one size class per page. Classes grow by 8 bytes up to 1 KiB and by an eighth above it, so a chunk wastes at most 7 bytes for small
/// entries and 12.5% for larger ones; entries above 16 KiB keep their value outside (see <see cref="S3FifoCacheStore"/>).
/// <para>An entry is named by a 32-bit reference, (page id + 1) &lt;&lt; 13 | chunk index, never 0, so links and the
/// index hold ints instead of objects. The pages are not the GC's: it neither scans nor keeps free regions for them, a
/// returned page goes back to the system, and the process's memory is what the pages and the index hold.</para>
/// <para>Pages are never returned while they hold entries. A class that needs room when no page may be added takes the
/// page of another class that holds the fewest entries (its owner evicts them first, <see cref="Reassign"/>): this is how
/// memory follows a workload whose value sizes change. Free chunks of a class form a doubly linked list through their
/// headers, so a page can leave its class in time proportional to its chunks. Not thread-safe: the store's lock guards it.</para>
/// <para>What must stay true: a span from <see cref="Chunk"/> is used only under the store's lock and never after the
/// page is returned (<see cref="ReleaseEmptyPages"/>, <see cref="Clear"/>); the finalizer returns the pages of a store
/// nobody references any more.</para>
/// </summary>
internal sealed unsafe class SlabArena
{
    public const int MaxChunkBytes = 16 * 1024;
    public const int MaxPageBytes = 128 * 1024;
    public const int MinPageBytes = 4 * 1024;

    private const int Granularity = 8;
    private const int FineClassLimit = 1024;
    private const int ChunkIndexBits = 13;
    private const int ChunkIndexMask = (1 << ChunkIndexBits) - 1;
    private const int MaxPages = (1 << (31 - ChunkIndexBits)) - 2;

    private static readonly int[] ClassSizes = BuildClassSizes();

    private readonly int[] _freeHead = new int[ClassSizes.Length];
    private readonly int[] _carvePage = new int[ClassSizes.Length];
    private readonly Stack<int> _freePageIds = new();
    private nint[] _pages = new nint[16];
    private int[] _pageBytes = new int[16];
    private int[] _pageClass = new int[16];
    private int[] _pageChunkBytes = new int[16];
    private int[] _pageLive = new int[16];
    private int[] _pageCarved = new int[16];
    private int _pageIds;

    public SlabArena()
    {
        Array.Fill(_carvePage, -1);
    }

    ~SlabArena()
    {
        FreePages();
    }

    /// <summary>Bytes of all pages held, used or not: what the arena costs in memory.</summary>
    public long PageBytes { get; private set; }

    /// <summary>The size of pages added from now on (a store sizes them to its budget: small budgets, small pages).</summary>
    public int TargetPageBytes { get; set; } = MaxPageBytes;

    /// <summary>The class whose chunks hold <paramref name="bytes"/>, or -1 above <see cref="MaxChunkBytes"/>.</summary>
    public static int ClassOf(int bytes)
    {
        if (bytes <= FineClassLimit)
        {
            return Math.Max(0, (bytes + Granularity - 1) / Granularity - 1);
        }

        if (bytes > MaxChunkBytes)
        {
            return -1;
        }

        var index = Array.BinarySearch(ClassSizes, bytes);
        return index >= 0 ? index : ~index;
    }

    public static int ClassSize(int sizeClass) => ClassSizes[sizeClass];

    public static int PageOf(int reference) => (reference >> ChunkIndexBits) - 1;

    /// <summary>The size class of the chunk a reference names.</summary>
    public int ClassOfChunk(int reference) => _pageClass[PageOf(reference)];

    public Span<byte> Chunk(int reference)
    {
        var page = (reference >> ChunkIndexBits) - 1;
        var size = _pageChunkBytes[page];
        return new Span<byte>((byte*)_pages[page] + (reference & ChunkIndexMask) * size, size);
    }

    /// <summary>A free chunk of the class: from its free list, then its current page, then (when
    /// <paramref name="mayAddPage"/>) a new page. 0 when none is to be had.</summary>
    public int TryAllocate(int sizeClass, bool mayAddPage)
    {
        var reference = _freeHead[sizeClass];
        if (reference != 0)
        {
            Unlink(sizeClass, reference);
            _pageLive[PageOf(reference)]++;
            return reference;
        }

        var page = _carvePage[sizeClass];
        if (page < 0 || _pageCarved[page] == Capacity(page))
        {
            if (!mayAddPage || (_pageIds == MaxPages && _freePageIds.Count == 0))
            {
                return 0;
            }

            page = AddPage(sizeClass);
        }

        reference = Reference(page, _pageCarved[page]++);
        _pageLive[page]++;
        return reference;
    }

    public void Free(int reference)
    {
        var page = PageOf(reference);
        var sizeClass = _pageClass[page];
        var chunk = Chunk(reference);
        SlabChunk.MarkFree(chunk);
        var head = _freeHead[sizeClass];
        SlabChunk.SetOlder(chunk, head);
        SlabChunk.SetNewer(chunk, 0);
        if (head != 0)
        {
            SlabChunk.SetNewer(Chunk(head), reference);
        }

        _freeHead[sizeClass] = reference;
        _pageLive[page]--;
    }

    /// <summary>Bytes a new page for the class would add.</summary>
    public int NewPageBytes(int sizeClass)
    {
        var size = ClassSizes[sizeClass];
        var chunks = Math.Clamp(TargetPageBytes / size, 1, ChunkIndexMask + 1);
        return chunks * size;
    }

    /// <summary>The page of another class, big enough for this class's chunks, that holds the fewest entries; -1 if
    /// none. A linear scan: it runs only when a class has run out of room and no page may be added.</summary>
    public int EmptiestPageFor(int sizeClass)
    {
        var (best, bestLive) = (-1, int.MaxValue);
        for (var page = 0; page < _pageIds; page++)
        {
            if (_pages[page] != 0 && _pageClass[page] != sizeClass && _pageBytes[page] >= ClassSizes[sizeClass] && _pageLive[page] < bestLive)
            {
                (best, bestLive) = (page, _pageLive[page]);
            }
        }

        return best;
    }

    /// <summary>Chunks of the page handed out so far; <see cref="ReferenceAt"/> names them.</summary>
    public int CarvedCount(int page) => _pageCarved[page];

    public int ReferenceAt(int page, int index) => Reference(page, index);

    /// <summary>Gives an empty page (its entries already freed) to another class.</summary>
    public void Reassign(int page, int sizeClass)
    {
        DetachFreeChunks(page);
        _pageClass[page] = sizeClass;
        _pageChunkBytes[page] = ClassSizes[sizeClass];
        _carvePage[sizeClass] = page;
    }

    /// <summary>Returns the pages that hold no entry (after a budget was lowered).</summary>
    public void ReleaseEmptyPages()
    {
        for (var page = 0; page < _pageIds; page++)
        {
            if (_pages[page] != 0 && _pageLive[page] == 0)
            {
                DetachFreeChunks(page);
                NativeMemory.Free((void*)_pages[page]);
                PageBytes -= _pageBytes[page];
                _pages[page] = 0;
                _freePageIds.Push(page);
            }
        }
    }

    public void Clear()
    {
        FreePages();
        _pages = new nint[16];
        _pageBytes = new int[16];
        _pageClass = new int[16];
        _pageChunkBytes = new int[16];
        _pageLive = new int[16];
        _pageCarved = new int[16];
        _pageIds = 0;
        _freePageIds.Clear();
        Array.Clear(_freeHead);
        Array.Fill(_carvePage, -1);
        PageBytes = 0;
    }

    private static int[] BuildClassSizes()
    {
        var sizes = new List<int>();
        for (var size = Granularity; size <= FineClassLimit; size += Granularity)
        {
            sizes.Add(size);
        }

        while (sizes[^1] < MaxChunkBytes)
        {
            var next = sizes[^1] + sizes[^1] / 8;
            sizes.Add(Math.Min(MaxChunkBytes, (next + Granularity - 1) / Granularity * Granularity));
        }
        return [.. sizes];
    }

    private static int Reference(int page, int index) => ((page + 1) << ChunkIndexBits) | index;

    private int Capacity(int page) => Math.Min(_pageBytes[page] / _pageChunkBytes[page], ChunkIndexMask + 1);

    private void FreePages()
    {
        for (var page = 0; page < _pageIds; page++)
        {
            if (_pages[page] != 0)
            {
                NativeMemory.Free((void*)_pages[page]);
                _pages[page] = 0;
            }
        }
    }

    private int AddPage(int sizeClass)
    {
        int page;
        if (!_freePageIds.TryPop(out page))
        {
            page = _pageIds++;
            if (page == _pages.Length)
            {
                var length = _pages.Length * 2;
                Array.Resize(ref _pages, length);
                Array.Resize(ref _pageBytes, length);
                Array.Resize(ref _pageClass, length);
                Array.Resize(ref _pageChunkBytes, length);
                Array.Resize(ref _pageLive, length);
                Array.Resize(ref _pageCarved, length);
            }
        }

        var bytes = NewPageBytes(sizeClass);
        _pages[page] = (nint)NativeMemory.Alloc((nuint)bytes);
        _pageBytes[page] = bytes;
        _pageClass[page] = sizeClass;
        _pageChunkBytes[page] = ClassSizes[sizeClass];
        _pageLive[page] = 0;
        _pageCarved[page] = 0;
        _carvePage[sizeClass] = page;
        PageBytes += bytes;
        return page;
    }

    /// <summary>Takes the page's free chunks off its class's free list and forgets its carving.</summary>
    private void DetachFreeChunks(int page)
    {
        var sizeClass = _pageClass[page];
        for (var index = 0; index < _pageCarved[page]; index++)
        {
            Unlink(sizeClass, Reference(page, index));
        }

        if (_carvePage[sizeClass] == page)
        {
            _carvePage[sizeClass] = -1;
        }

        _pageCarved[page] = 0;
    }

    private void Unlink(int sizeClass, int reference)
    {
        var chunk = Chunk(reference);
        var (older, newer) = (SlabChunk.Older(chunk), SlabChunk.Newer(chunk));
        if (newer != 0)
        {
            SlabChunk.SetOlder(Chunk(newer), older);
        }
        else
        {
            _freeHead[sizeClass] = older;
        }

        if (older != 0)
        {
            SlabChunk.SetNewer(Chunk(older), newer);
        }
    }
}
