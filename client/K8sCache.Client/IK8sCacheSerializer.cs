namespace K8sCache.Client;

/// <summary>Turns typed values into the bytes the cache stores, and back.</summary>
public interface IK8sCacheSerializer
{
    /// <summary>The bytes that represent <paramref name="value"/>.</summary>
    byte[] Serialize<T>(T value);

    /// <summary>The value <paramref name="bytes"/> represent.</summary>
    T Deserialize<T>(ReadOnlySpan<byte> bytes);
}
