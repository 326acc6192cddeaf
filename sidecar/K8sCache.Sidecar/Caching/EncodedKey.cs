using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Unicode;

namespace K8sCache.Sidecar.Caching;

/// <summary>
/// A key as the slab store keeps it: UTF-8 (half the bytes of .NET's UTF-16 for the ASCII keys caches mostly see), or
/// the raw UTF-16 when the string is not valid Unicode (a lone surrogate), so two different strings never encode alike.
/// Carries its 64-bit hash: the index uses the top bits, the ghost queue all of them.
/// </summary>
internal readonly ref struct EncodedKey
{
    /// <summary>Keys up to this many characters are encoded on the caller's stack.</summary>
    public const int StackChars = 1024;

    /// <summary>The stack buffer for such keys: one fixed size, so the caller's frame is laid out at compile time.</summary>
    public const int StackBytes = StackChars * 3;

    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;

    public EncodedKey(ReadOnlySpan<byte> bytes, bool isUtf16)
    {
        Bytes = bytes;
        IsUtf16 = isUtf16;
        Hash = HashOf(bytes, isUtf16);
    }

    public ReadOnlySpan<byte> Bytes { get; }

    public bool IsUtf16 { get; }

    public ulong Hash { get; }

    /// <summary>Room a key of this many characters needs in <see cref="Encode"/>'s buffer.</summary>
    public static int BufferBytes(int chars) => chars * 3;

    /// <summary>Encodes <paramref name="key"/> into <paramref name="buffer"/> (at least <see cref="BufferBytes"/> long).</summary>
    public static EncodedKey Encode(ReadOnlySpan<char> key, Span<byte> buffer)
    {
        if (Utf8.FromUtf16(key, buffer, out _, out var written, replaceInvalidSequences: false) == System.Buffers.OperationStatus.Done)
        {
            return new EncodedKey(buffer[..written], isUtf16: false);
        }

        var raw = MemoryMarshal.AsBytes(key);
        raw.CopyTo(buffer);
        return new EncodedKey(buffer[..raw.Length], isUtf16: true);
    }

    public string Decode() =>
        IsUtf16 ? new string(MemoryMarshal.Cast<byte, char>(Bytes)) : System.Text.Encoding.UTF8.GetString(Bytes);

    /// <summary>A fast 64-bit hash of the bytes (multiply-rotate per 8-byte word, then a full avalanche); in-process
    /// only, never on the wire or on disk.</summary>
    public static ulong HashOf(ReadOnlySpan<byte> bytes, bool isUtf16)
    {
        var hash = (ulong)bytes.Length * Prime1 ^ (isUtf16 ? Prime2 : 0);
        while (bytes.Length >= 8)
        {
            hash = BitOperations.RotateLeft(hash ^ Mix(BinaryPrimitives.ReadUInt64LittleEndian(bytes)), 27) * Prime1;
            bytes = bytes[8..];
        }

        if (!bytes.IsEmpty)
        {
            var tail = 0UL;
            for (var i = bytes.Length - 1; i >= 0; i--)
            {
                tail = (tail << 8) | bytes[i];
            }

            hash = BitOperations.RotateLeft(hash ^ Mix(tail), 27) * Prime1;
        }

        hash ^= hash >> 33;
        hash *= Prime2;
        hash ^= hash >> 29;
        hash *= Prime1;
        return hash ^ (hash >> 32);
    }

    private static ulong Mix(ulong word) => BitOperations.RotateLeft(word * Prime2, 31) * Prime1;
}
