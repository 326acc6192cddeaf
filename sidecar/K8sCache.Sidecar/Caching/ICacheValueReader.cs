namespace K8sCache.Sidecar.Caching;

/// <summary>Receives a value inside the store's lock (<see cref="ICacheStore.TryRead"/>): copy it out, keep no reference
/// to it — the memory is the store's and is reused once the lock is released.</summary>
internal interface ICacheValueReader
{
    void Read(scoped ReadOnlySpan<byte> value, long expiresAtMs);
}
