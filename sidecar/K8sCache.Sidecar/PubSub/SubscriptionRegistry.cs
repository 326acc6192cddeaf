using System.Collections.Concurrent;
using System.Text;

namespace K8sCache.Sidecar.PubSub;

/// <summary>
/// This node's subscriptions: channel to subscribers, and patterns. Changes take a lock and replace arrays; delivery
/// reads them without locking, so a publish never waits on a subscribe. Channels are any bytes; they are keyed by their
/// Latin-1 string, which maps each byte to one character and back.
/// </summary>
internal sealed class SubscriptionRegistry(PubSubStats stats)
{
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, ISubscriber[]> _channels = new(StringComparer.Ordinal);
    private volatile PatternSubscription[] _patterns = [];

    /// <summary>Channels with a subscriber, kept under <see cref="_lock"/> beside <see cref="_channels"/>, so that a node
    /// nobody subscribes to skips every message before building it (a count read, no lookup).</summary>
    private volatile int _channelCount;

    public static string NameOf(ReadOnlySpan<byte> channel) => Encoding.Latin1.GetString(channel);

    /// <summary>The bytes of a channel or pattern known by its name (<see cref="NameOf"/> back).</summary>
    public static byte[] BytesOf(string name) => Encoding.Latin1.GetBytes(name);

    /// <summary>Adds the subscription; false when it existed.</summary>
    public bool Subscribe(ISubscriber subscriber, ReadOnlySpan<byte> channel)
    {
        var name = NameOf(channel);
        lock (_lock)
        {
            var current = _channels.GetValueOrDefault(name, []);
            if (current.Contains(subscriber))
            {
                return false;
            }

            if (current.Length == 0)
            {
                _channelCount++;
            }

            _channels[name] = [.. current, subscriber];
            return true;
        }
    }

    /// <summary>Removes the subscription to the channel named <paramref name="name"/>; false when there was none.</summary>
    public bool Unsubscribe(ISubscriber subscriber, string name)
    {
        lock (_lock)
        {
            if (!_channels.TryGetValue(name, out var current) || !current.Contains(subscriber))
            {
                return false;
            }

            if (current.Length == 1)
            {
                _channels.TryRemove(name, out _);
                _channelCount--;
            }
            else
            {
                _channels[name] = current.Where(s => !ReferenceEquals(s, subscriber)).ToArray();
            }

            return true;
        }
    }

    public bool SubscribePattern(ISubscriber subscriber, byte[] pattern)
    {
        lock (_lock)
        {
            var name = NameOf(pattern);
            if (_patterns.Any(p => ReferenceEquals(p.Subscriber, subscriber) && p.Name == name))
            {
                return false;
            }

            _patterns = [.. _patterns, new PatternSubscription(pattern, name, subscriber)];
            return true;
        }
    }

    /// <summary>Removes the subscription to the pattern named <paramref name="name"/>; false when there was none.</summary>
    public bool UnsubscribePattern(ISubscriber subscriber, string name)
    {
        lock (_lock)
        {
            var current = _patterns;
            var kept = current.Where(p => !ReferenceEquals(p.Subscriber, subscriber) || p.Name != name).ToArray();
            _patterns = kept;
            return kept.Length != current.Length;
        }
    }

    /// <summary>Hands a message to every local subscriber of the channel and of each matching pattern; returns how many
    /// deliveries that made.</summary>
    public int Deliver(byte[] channel, byte[] payload)
    {
        var delivered = 0;
        if (_channels.TryGetValue(NameOf(channel), out var subscribers))
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Deliver(null, channel, payload);
            }

            delivered = subscribers.Length;
        }

        foreach (var (pattern, _, subscriber) in _patterns)
        {
            if (GlobPattern.IsMatch(pattern, channel))
            {
                subscriber.Deliver(pattern, channel, payload);
                delivered++;
            }
        }

        Interlocked.Add(ref stats.Delivered, delivered);
        return delivered;
    }

    /// <summary>Whether a message on the channel would reach anyone here (cheap: no message is built otherwise).</summary>
    public bool HasSubscribers(string channel) => _patterns.Length > 0 || _channelCount > 0 && _channels.ContainsKey(channel);

    /// <summary>Whether anyone here subscribes to anything.</summary>
    public bool HasAnySubscribers => _channelCount > 0 || _patterns.Length > 0;

    /// <summary>Channels with at least one subscriber here, optionally only those matching a pattern (PUBSUB CHANNELS).</summary>
    public IReadOnlyList<string> Channels(ReadOnlySpan<byte> pattern)
    {
        var names = new List<string>();
        foreach (var name in _channels.Keys)
        {
            if (pattern.IsEmpty || GlobPattern.IsMatch(pattern, BytesOf(name)))
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>Channels with at least one subscriber here.</summary>
    public int ChannelCount => _channels.Count;

    /// <summary>Subscribers of the channel here (PUBSUB NUMSUB; patterns not counted, as in Redis).</summary>
    public int SubscriberCount(ReadOnlySpan<byte> channel) => _channels.TryGetValue(NameOf(channel), out var subscribers) ? subscribers.Length : 0;

    /// <summary>Distinct patterns subscribed to here (PUBSUB NUMPAT).</summary>
    public int PatternCount() => _patterns.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count();

    private readonly record struct PatternSubscription(byte[] Pattern, string Name, ISubscriber Subscriber);
}
