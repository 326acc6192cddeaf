using System.Buffers.Binary;

namespace K8sCache.Sidecar.Caching;

/// <summary>
/// The layout of one entry inside a slab page: a 20-byte header, the key's bytes, then the value's bytes.
/// <code>
/// 0   int   older   reference of the next entry toward the queue's tail (0: none); the free list's link when free
/// 4   int   newer   reference of the next entry toward the queue's head (0: none)
/// 8   ulong meta    bits 0-45 expiry (monotonic ms, 0 = never), 46 a hash (else a string), 47-58 key length (0 = free chunk),
///                   59-60 S3-FIFO frequency, 61 in the main queue, 62 value held outside the slab, 63 key in UTF-16
/// 16  int   value   the value's length, or its slot in the large-value table
/// 20  ...   key bytes, then value bytes
/// </code>
/// What must stay true: a free chunk has key length 0 (keys are never empty), and nothing else tells free from live.
/// </summary>
internal static class SlabChunk
{
    public const int HeaderBytes = 20;

    /// <summary>Keys longer than this many bytes cannot be stored (12 bits of length); callers validate far below it.</summary>
    public const int MaxKeyBytes = (1 << KeyLengthBits) - 1;

    /// <summary>Expiry times are kept in 46 bits; later ones are clamped (2,000 years of milliseconds).</summary>
    public const long MaxExpiry = (1L << (ExpiryBits - 1)) - 1;

    public const int MaxFrequency = 3;

    private const int ExpiryBits = 47;
    private const int KeyLengthBits = 12;
    private const int KeyLengthShift = ExpiryBits;
    private const int FrequencyShift = KeyLengthShift + KeyLengthBits;
    private const ulong HashBit = 1UL << (ExpiryBits - 1);
    private const ulong InMainBit = 1UL << 61;
    private const ulong LargeBit = 1UL << 62;
    private const ulong Utf16Bit = 1UL << 63;

    public static int Older(ReadOnlySpan<byte> chunk) => BinaryPrimitives.ReadInt32LittleEndian(chunk);

    public static void SetOlder(Span<byte> chunk, int reference) => BinaryPrimitives.WriteInt32LittleEndian(chunk, reference);

    public static int Newer(ReadOnlySpan<byte> chunk) => BinaryPrimitives.ReadInt32LittleEndian(chunk[4..]);

    public static void SetNewer(Span<byte> chunk, int reference) => BinaryPrimitives.WriteInt32LittleEndian(chunk[4..], reference);

    public static long ExpiresAtMs(ReadOnlySpan<byte> chunk) => (long)(Meta(chunk) & MaxExpiry);

    public static int KeyLength(ReadOnlySpan<byte> chunk) => (int)(Meta(chunk) >> KeyLengthShift) & MaxKeyBytes;

    public static bool IsFree(ReadOnlySpan<byte> chunk) => KeyLength(chunk) == 0;

    public static int Frequency(ReadOnlySpan<byte> chunk) => (int)(Meta(chunk) >> FrequencyShift) & MaxFrequency;

    public static void SetFrequency(Span<byte> chunk, int frequency) =>
        SetMeta(chunk, (Meta(chunk) & ~((ulong)MaxFrequency << FrequencyShift)) | ((ulong)frequency << FrequencyShift));

    public static bool InMain(ReadOnlySpan<byte> chunk) => (Meta(chunk) & InMainBit) != 0;

    public static void SetInMain(Span<byte> chunk, bool inMain) =>
        SetMeta(chunk, inMain ? Meta(chunk) | InMainBit : Meta(chunk) & ~InMainBit);

    public static ValueKind Kind(ReadOnlySpan<byte> chunk) => (Meta(chunk) & HashBit) != 0 ? ValueKind.Hash : ValueKind.String;

    public static bool IsLarge(ReadOnlySpan<byte> chunk) => (Meta(chunk) & LargeBit) != 0;

    public static bool IsUtf16Key(ReadOnlySpan<byte> chunk) => (Meta(chunk) & Utf16Bit) != 0;

    /// <summary>The value's length, or for a large value its slot in the large-value table.</summary>
    public static int ValueField(ReadOnlySpan<byte> chunk) => BinaryPrimitives.ReadInt32LittleEndian(chunk[16..]);

    public static ReadOnlySpan<byte> Key(ReadOnlySpan<byte> chunk) => chunk.Slice(HeaderBytes, KeyLength(chunk));

    /// <summary>The value held in the chunk (empty for a large value).</summary>
    public static ReadOnlySpan<byte> Value(ReadOnlySpan<byte> chunk) =>
        IsLarge(chunk) ? [] : chunk.Slice(HeaderBytes + KeyLength(chunk), ValueField(chunk));

    /// <summary>Fills a chunk's entry: the key and (unless large) the value copied in. The links are left as they are: a
    /// new entry gets them when it is queued, a value rewritten in place keeps its place.</summary>
    public static void Write(Span<byte> chunk, in EncodedKey key, ReadOnlySpan<byte> value, int largeSlot, long expiresAtMs, ValueKind kind, int frequency, bool inMain)
    {
        var meta = (ulong)ClampExpiry(expiresAtMs)
            | (kind == ValueKind.Hash ? HashBit : 0)
            | ((ulong)key.Bytes.Length << KeyLengthShift)
            | ((ulong)frequency << FrequencyShift)
            | (inMain ? InMainBit : 0)
            | (largeSlot >= 0 ? LargeBit : 0)
            | (key.IsUtf16 ? Utf16Bit : 0);
        SetMeta(chunk, meta);
        BinaryPrimitives.WriteInt32LittleEndian(chunk[16..], largeSlot >= 0 ? largeSlot : value.Length);
        key.Bytes.CopyTo(chunk[HeaderBytes..]);
        if (largeSlot < 0)
        {
            value.CopyTo(chunk[(HeaderBytes + key.Bytes.Length)..]);
        }
    }

    /// <summary>Marks a chunk free (its key length becomes 0).</summary>
    public static void MarkFree(Span<byte> chunk) => SetMeta(chunk, 0);

    public static bool KeyEquals(ReadOnlySpan<byte> chunk, in EncodedKey key)
    {
        // Length and encoding in one compare of the meta word's key bits, then the bytes.
        var keyBits = (Meta(chunk) & ~(InMainBit | LargeBit) & ~((ulong)MaxFrequency << FrequencyShift)) >> KeyLengthShift;
        var expected = (uint)key.Bytes.Length | (key.IsUtf16 ? Utf16Bit >> KeyLengthShift : 0);
        return keyBits == expected && chunk.Slice(HeaderBytes, key.Bytes.Length).SequenceEqual(key.Bytes);
    }

    private static ulong Meta(ReadOnlySpan<byte> chunk) => BinaryPrimitives.ReadUInt64LittleEndian(chunk[8..]);

    private static void SetMeta(Span<byte> chunk, ulong meta) => BinaryPrimitives.WriteUInt64LittleEndian(chunk[8..], meta);

    /// <summary>0 stays "never"; a time before the clock's start is already past (1); beyond 47 bits is clamped.</summary>
    private static long ClampExpiry(long expiresAtMs) => expiresAtMs == 0 ? 0 : Math.Clamp(expiresAtMs, 1, MaxExpiry);
}
