namespace K8sCache.Sidecar.Caching;

/// <summary>
/// What an entry costs against a group's byte budget in <see cref="LruCacheStore"/>, which keeps an object per entry: the key's UTF-16 characters (2 bytes each, as .NET stores them),
/// the value's bytes, and a fixed overhead for the objects around them on 64-bit .NET — the entry object with its list
/// links (64), the key string's header (22), the value array's header (24) and the dictionary slot (28), rounded to 140.
/// </summary>
internal static class EntryAccounting
{
    public const int EntryOverhead = 140;

    public static long SizeOf(string key, int valueLength) => EntryOverhead + 2L * key.Length + valueLength;
}
