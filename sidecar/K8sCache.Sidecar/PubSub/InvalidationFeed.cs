using System.Collections.Concurrent;
using System.Text;
using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.PubSub;

/// <summary>
/// Tells applications' in-process caches what changed. Every change of a key this node sees is published to this
/// node's subscribers of <c>__k8scache__:invalidate:GROUP</c>, the key (without its group) as the message, before the
/// write or the owner's invalidation is answered. When this node may have missed changes (a peer went down or came
/// back, or could not deliver invalidations to it), an empty message on every group's channel means "anything of this
/// group may have changed". Local only: the owner of a key invalidates it on every member, so every node already sees
/// every change and relaying would only repeat it.
/// </summary>
internal sealed class InvalidationFeed : IDisposable
{
    public const string ChannelPrefix = "__k8scache__:invalidate:";

    private readonly CacheNode _node;
    private readonly SubscriptionRegistry _subscriptions;
    private readonly ConcurrentDictionary<string, (string Name, byte[] Bytes)> _channels = new(StringComparer.Ordinal);

    public InvalidationFeed(CacheNode node, SubscriptionRegistry subscriptions)
    {
        _node = node;
        _subscriptions = subscriptions;
        node.KeyChanged += OnKeyChanged;
        node.ChangesMayBeMissed += OnChangesMayBeMissed;
    }

    public void Dispose()
    {
        _node.KeyChanged -= OnKeyChanged;
        _node.ChangesMayBeMissed -= OnChangesMayBeMissed;
    }

    private void OnKeyChanged(string group, string key)
    {
        if (!_subscriptions.HasAnySubscribers)
        {
            return;
        }

        var channel = ChannelOf(group);
        if (_subscriptions.HasSubscribers(channel.Name))
        {
            _subscriptions.Deliver(channel.Bytes, Encoding.UTF8.GetBytes(key));
        }
    }

    private void OnChangesMayBeMissed()
    {
        foreach (var group in _node.Groups)
        {
            var channel = ChannelOf(group.Name);
            if (_subscriptions.HasSubscribers(channel.Name))
            {
                _subscriptions.Deliver(channel.Bytes, []);
            }
        }
    }

    private (string Name, byte[] Bytes) ChannelOf(string group) =>
        _channels.GetOrAdd(group, static g => (ChannelPrefix + g, Encoding.UTF8.GetBytes(ChannelPrefix + g)));
}
