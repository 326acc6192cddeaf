using System.Runtime.InteropServices;
using Google.Protobuf;

namespace K8sCache.Protocol.V1;

/// <summary>Moves values between protobuf's <see cref="ByteString"/> and the cache's arrays without copying. Safe
/// because cached arrays are never written after they are stored, and parsed ByteStrings own their arrays.</summary>
public static class ByteStrings
{
    /// <summary>Wraps <paramref name="value"/> without copying; the caller never writes it again.</summary>
    public static ByteString Wrap(byte[] value) => UnsafeByteOperations.UnsafeWrap(value);

    /// <inheritdoc cref="Wrap(byte[])"/>
    public static ByteString Wrap(ReadOnlyMemory<byte> value) => UnsafeByteOperations.UnsafeWrap(value);

    /// <summary>The bytes of <paramref name="value"/>: its own array when it wraps one whole, else a copy.</summary>
    public static byte[] ToArray(ByteString value) =>
        MemoryMarshal.TryGetArray(value.Memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToByteArray();
}
