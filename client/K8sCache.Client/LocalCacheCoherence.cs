using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace K8sCache.Client;

/// <summary>
/// Keeps this process's in-process cache (the <see cref="IMemoryCache"/> HybridCache uses as its first level)
/// coherent with the cluster, through the sidecar's invalidation channels (<see cref="InvalidationSubscription"/>).
/// What must stay true:
/// <list type="number">
/// <item>A key the sidecar reports changed is removed from the in-process cache.</item>
/// <item>A value read from the cluster enters the in-process cache only if no change of its key was reported since
/// the read began, its group's subscription was confirmed before the read began, and it has not been lost since.
/// Otherwise it is removed as soon as it is stored (<see cref="CoherentMemoryCache"/>).</item>
/// <item>When the subscription is lost, or the sidecar says it may have missed changes, the in-process cache is
/// emptied; once the subscription is back, HybridCache's tags whose records changed meanwhile are expired locally.</item>
/// <item>Only this process's copies are touched: a reported change is never written back to the cluster.</item>
/// </list>
/// </summary>
internal sealed class LocalCacheCoherence : IAsyncDisposable
{
    /// <summary>The group every sidecar serves for HybridCache's tag records.</summary>
    public const string TagsGroup = "k8scache.tags";

    /// <summary>How HybridCache names a tag's record in its second level (its key, then the tag).</summary>
    public const string TagKeyPrefix = "__MSFT_HCT__";

    /// <summary>Reads in flight and tags remembered; past it they are forgotten, and every value read before is
    /// judged stale.</summary>
    private const int MaxTracked = 100_000;

    private static readonly AsyncLocal<bool> LocalOnly = new();

    private readonly ConcurrentDictionary<string, ReadStart> _reads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _changedAt = new(StringComparer.Ordinal);

    /// <summary>Each tag's record as last read (empty: none); null once a change was reported after that.</summary>
    private readonly ConcurrentDictionary<string, byte[]?> _tags = new(StringComparer.Ordinal);
    private readonly InvalidationSubscription _subscription;
    private readonly K8sCacheOptions _options;
    private readonly K8sCacheClient _client;
    private readonly IServiceProvider _services;
    private long _generation;
    private long _floor;
    private long _losses;

    public LocalCacheCoherence(K8sCacheOptions options, K8sCacheClient client, IServiceProvider services)
    {
        _options = options;
        _client = client;
        _services = services;
        _subscription = new InvalidationSubscription(options, Changed, Subscribed, Lost);
    }

    /// <summary>Writes made while a reported change is applied locally: they must not reach the cluster.</summary>
    public static bool IsLocalOnly => LocalOnly.Value;

    /// <summary>Changes and subscription events reported so far.</summary>
    public long EventsSeen => Volatile.Read(ref _generation);

    /// <summary>Subscriptions lost and memory emptied for it, since the process started.</summary>
    public long Losses => Volatile.Read(ref _losses);

    /// <summary>Whether the group's changes reach this process now (its subscription is confirmed).</summary>
    public bool IsCoherent(string group) => _subscription.IsSubscribed(group);

    /// <summary>The in-process cache kept coherent, once <see cref="CoherentMemoryCache"/> is made.</summary>
    public MemoryCache? Memory { get; set; }

    /// <summary>Before a read from the cluster: subscribes to the group's changes, and notes when the read began.</summary>
    public async ValueTask BeginReadAsync(string group, string localKey)
    {
        await _subscription.EnsureAsync(group).ConfigureAwait(false);
        if (group == TagsGroup)
        {
            return;
        }

        if (_reads.Count >= MaxTracked)
        {
            Forget();
        }

        // Noted first, numbered second: a change reported in between finds the read and is held against it.
        var start = _reads.GetOrAdd(localKey, static (_, g) => new ReadStart(g), group);
        Interlocked.CompareExchange(ref start.Generation, Volatile.Read(ref _generation), long.MaxValue);
    }

    /// <summary>A tag record read from (or written to) the cluster: remembered, to compare after a lost subscription.</summary>
    public void SawTagRecord(string key, ReadOnlySpan<byte> value)
    {
        if (key.StartsWith(TagKeyPrefix, StringComparison.Ordinal) && (_tags.Count < MaxTracked || _tags.ContainsKey(key[TagKeyPrefix.Length..])))
        {
            _tags[key[TagKeyPrefix.Length..]] = value.ToArray();
        }
    }

    /// <summary>Whether a value just stored in the in-process cache may stay there (see the rules above).</summary>
    public bool Keeps(string localKey)
    {
        if (!_reads.TryRemove(localKey, out var start))
        {
            // Not read from the cluster (a factory's value, or not a cluster key at all): nothing to judge.
            return true;
        }

        var changedSince = _changedAt.TryRemove(localKey, out var at) && at > start.Generation;
        return !changedSince && start.Generation >= Volatile.Read(ref _floor) && _subscription.IsSubscribed(start.Group);
    }

    public ValueTask DisposeAsync() => _subscription.DisposeAsync();

    private void Changed(string group, string key)
    {
        if (key.Length == 0)
        {
            // The sidecar may have missed changes of the group.
            Reset();
            if (group == TagsGroup)
            {
                _ = RecheckTagsAsync();
            }

            return;
        }

        if (group == TagsGroup)
        {
            if (key.StartsWith(TagKeyPrefix, StringComparison.Ordinal))
            {
                var tag = key[TagKeyPrefix.Length..];
                _tags[tag] = null;
                _ = ExpireTagLocallyAsync(tag);
            }

            return;
        }

        var localKey = group == _options.DefaultGroup ? key : group + ":" + key;
        var generation = Interlocked.Increment(ref _generation);
        if (_reads.ContainsKey(localKey))
        {
            _changedAt[localKey] = generation;
        }

        Memory?.Remove(localKey);
    }

    private void Subscribed(string group)
    {
        Interlocked.Exchange(ref _floor, Interlocked.Increment(ref _generation));
        if (group == TagsGroup)
        {
            _ = RecheckTagsAsync();
        }
    }

    /// <summary>The subscription is gone (its confirmations are void already): memory is emptied, then counted.</summary>
    private void Lost()
    {
        Reset();
        Interlocked.Increment(ref _losses);
    }

    /// <summary>Every value read before now is stale, and so is everything held.</summary>
    private void Reset()
    {
        Interlocked.Exchange(ref _floor, Interlocked.Increment(ref _generation));
        Memory?.Clear();
    }

    private void Forget()
    {
        Interlocked.Exchange(ref _floor, Interlocked.Increment(ref _generation));
        _reads.Clear();
        _changedAt.Clear();
    }

    /// <summary>Expires locally each tag whose record is not what was last seen (changed while the subscription was
    /// down, or reported changed since): HybridCache keeps the tags' times it read, and would trust them forever.</summary>
    private async Task RecheckTagsAsync()
    {
        foreach (var (tag, seen) in _tags)
        {
            byte[]? now = null;
            var read = true;
            try
            {
                now = await _client.GetAsync(TagsGroup, TagKeyPrefix + tag).ConfigureAwait(false);
            }
            catch (Exception e) when (e is K8sCacheException or TimeoutException)
            {
                read = false;
            }

            if (!read || seen is null || !seen.AsSpan().SequenceEqual(now))
            {
                _tags[tag] = now ?? [];
                await ExpireTagLocallyAsync(tag).ConfigureAwait(false);
            }
        }
    }

    /// <summary>HybridCache's own tag expiry, in this process only: its write of the tag's record is held back
    /// (<see cref="IsLocalOnly"/>), so another process's removal is not written again.</summary>
    private async Task ExpireTagLocallyAsync(string tag)
    {
        if (_services.GetService<HybridCache>() is not { } hybrid)
        {
            return;
        }

        LocalOnly.Value = true;
        try
        {
            await hybrid.RemoveByTagAsync(tag).ConfigureAwait(false);
        }
        finally
        {
            LocalOnly.Value = false;
        }
    }

    /// <summary>A read from the cluster: its group, and the generation when it began (<see cref="long.MaxValue"/>
    /// until numbered).</summary>
    private sealed class ReadStart(string group)
    {
        public readonly string Group = group;
        public long Generation = long.MaxValue;
    }
}
