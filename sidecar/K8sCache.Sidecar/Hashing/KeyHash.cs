using System.Runtime.InteropServices;

namespace K8sCache.Sidecar.Hashing;

/// <summary>
/// The 64-bit hash that places keys and virtual nodes on the ring: FNV-1a over the UTF-16 code units of the string,
/// then MurmurHash3's fmix64 finalizer so nearby inputs ("node#1", "node#2") land far apart. Every node must compute
/// the same value for the same string: changing this function moves keys between owners across a rolling upgrade.
/// </summary>
internal static class KeyHash
{
    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    public static ulong Hash(string text) => Hash(text.AsSpan());

    public static ulong Hash(ReadOnlySpan<char> text) => Hash(MemoryMarshal.AsBytes(text));

    public static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = FnvOffset;
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= FnvPrime;
        }

        return Mix(hash);
    }

    private static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccd;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53;
        h ^= h >> 33;
        return h;
    }
}
