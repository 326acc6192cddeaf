using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Caching.Distributed;

namespace K8sCache.Client;

/// <summary>
/// <see cref="IDistributedCache"/> and <see cref="IBufferDistributedCache"/> on the cluster cache, so HybridCache uses
/// it as its second level and session state, output caching and anything else written against IDistributedCache run
/// unchanged. Keys are <c>GROUP:KEY</c>, or keys of <see cref="K8sCacheOptions.DefaultGroup"/> when that is set.
/// <para>Absolute expirations become the entry's lifetime. A sliding expiration works as the interface defines it: the
/// entry is stored with a 24-byte header holding the window (and the absolute end, if any), and every Get or Refresh
/// moves its lifetime on by the window, never past the absolute end. Entries without a sliding expiration are stored
/// as they are, so other clients read the same bytes.</para>
/// <para>HybridCache's tag records (keys <c>__MSFT_HCT__TAG</c>) live in the group every sidecar serves for them,
/// <c>k8scache.tags</c>. With <see cref="K8sCacheOptions.CoherentLocalCache"/>, every read first subscribes to its
/// group's changes, so the in-process cache in front of this one stays coherent (<see cref="LocalCacheCoherence"/>).</para>
/// </summary>
public sealed class K8sDistributedCache : IBufferDistributedCache
{
    /// <summary>Marks an entry stored with a sliding expiration: "K8SCSLD" and a format version.</summary>
    private static readonly byte[] SlidingMagic = "K8SCSLD1"u8.ToArray();

    private const int HeaderBytes = 24;

    private readonly K8sCacheClient _client;
    private readonly K8sCacheOptions _options;
    private readonly LocalCacheCoherence? _coherence;

    /// <summary>The cluster cache through <paramref name="client"/>, without in-process cache coherence.</summary>
    public K8sDistributedCache(K8sCacheClient client, K8sCacheOptions options)
        : this(client, options, null)
    {
    }

    internal K8sDistributedCache(K8sCacheClient client, K8sCacheOptions options, LocalCacheCoherence? coherence)
    {
        _client = client;
        _options = options;
        _coherence = coherence;
    }

    /// <inheritdoc/>
    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        var (group, name) = Split(key);
        if (_coherence is not null)
        {
            await _coherence.BeginReadAsync(group, key).ConfigureAwait(false);
        }

        var stored = await _client.GetAsync(group, name, token).ConfigureAwait(false);
        if (group == LocalCacheCoherence.TagsGroup)
        {
            _coherence?.SawTagRecord(name, stored);
        }

        if (stored is null || !IsSliding(stored, out var window, out var absoluteEnd))
        {
            return stored;
        }

        await SlideAsync(group, name, window, absoluteEnd, token).ConfigureAwait(false);
        return stored[HeaderBytes..];
    }

    /// <inheritdoc/>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return SetAsync(key, new ReadOnlySequence<byte>(value), options, token).AsTask();
    }

    /// <inheritdoc/>
    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        var (group, name) = Split(key);
        var stored = await _client.GetAsync(group, name, token).ConfigureAwait(false);
        if (stored is not null && IsSliding(stored, out var window, out var absoluteEnd))
        {
            await SlideAsync(group, name, window, absoluteEnd, token).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        var (group, name) = Split(key);
        await _client.DeleteAsync(group, name, token).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public bool TryGet(string key, IBufferWriter<byte> destination) => TryGetAsync(key, destination).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var value = await GetAsync(key, token).ConfigureAwait(false);
        if (value is null)
        {
            return false;
        }

        destination.Write(value);
        return true;
    }

    /// <inheritdoc/>
    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (group, name) = Split(key);
        if (LocalCacheCoherence.IsLocalOnly)
        {
            // HybridCache expiring a tag because another process did: the record is already in the cluster.
            return;
        }

        if (group == LocalCacheCoherence.TagsGroup)
        {
            _coherence?.SawTagRecord(name, value.IsSingleSegment ? value.FirstSpan : value.ToArray());
        }

        var now = DateTimeOffset.UtcNow;
        DateTimeOffset? absoluteEnd = options.AbsoluteExpiration ?? (now + options.AbsoluteExpirationRelativeToNow);
        if (absoluteEnd <= now)
        {
            throw new ArgumentOutOfRangeException(nameof(options), absoluteEnd, "the absolute expiration must be in the future");
        }

        if (options.SlidingExpiration is { } window)
        {
            if (window <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(options), window, "the sliding expiration must be positive");
            }

            var stored = new byte[HeaderBytes + value.Length];
            SlidingMagic.CopyTo(stored, 0);
            BinaryPrimitives.WriteInt64LittleEndian(stored.AsSpan(8), (long)window.TotalMilliseconds);
            BinaryPrimitives.WriteInt64LittleEndian(stored.AsSpan(16), absoluteEnd?.ToUnixTimeMilliseconds() ?? 0);
            value.CopyTo(stored.AsSpan(HeaderBytes));
            await _client.SetAsync(group, name, stored, Lifetime(window, absoluteEnd, now), token).ConfigureAwait(false);
            return;
        }

        var bytes = value.IsSingleSegment ? value.First : value.ToArray();
        await _client.SetAsync(group, name, bytes, absoluteEnd - now, token).ConfigureAwait(false);
    }

    private static bool IsSliding(byte[] stored, out TimeSpan window, out DateTimeOffset? absoluteEnd)
    {
        window = default;
        absoluteEnd = null;
        if (stored.Length < HeaderBytes || !stored.AsSpan(0, 8).SequenceEqual(SlidingMagic))
        {
            return false;
        }

        window = TimeSpan.FromMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(stored.AsSpan(8)));
        var end = BinaryPrimitives.ReadInt64LittleEndian(stored.AsSpan(16));
        absoluteEnd = end == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(end);
        return true;
    }

    /// <summary>The sliding window from now, cut at the absolute end.</summary>
    private static TimeSpan Lifetime(TimeSpan window, DateTimeOffset? absoluteEnd, DateTimeOffset now) =>
        absoluteEnd is { } end && end - now < window ? end - now : window;

    private async ValueTask SlideAsync(string group, string name, TimeSpan window, DateTimeOffset? absoluteEnd, CancellationToken token)
    {
        var lifetime = Lifetime(window, absoluteEnd, DateTimeOffset.UtcNow);
        if (lifetime > TimeSpan.Zero)
        {
            await _client.ExpireAsync(group, name, lifetime, token).ConfigureAwait(false);
        }
    }

    private (string Group, string Key) Split(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.StartsWith(LocalCacheCoherence.TagKeyPrefix, StringComparison.Ordinal))
        {
            return (LocalCacheCoherence.TagsGroup, key);
        }

        if (_options.DefaultGroup is { } group)
        {
            return (group, key);
        }

        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < key.Length - 1
            ? (key[..colon], key[(colon + 1)..])
            : throw new ArgumentException($"the key '{key}' names no group: use GROUP:KEY, or set K8sCacheOptions.DefaultGroup", nameof(key));
    }
}
