using System.Runtime.InteropServices;
using Google.Protobuf;

namespace K8sCache.Sidecar.Node;

/// <summary>Moves values between protobuf's <see cref="ByteString"/> and the cache's arrays without copying. Safe
/// because cached arrays are never written after they are stored, and parsed ByteStrings own their arrays.</summary>
internal static class ByteStrings
{
    public static ByteString Wrap(byte[] value) => UnsafeByteOperations.UnsafeWrap(value);

    public static byte[] ToArray(ByteString value) =>
        MemoryMarshal.TryGetArray(value.Memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToByteArray();
}
