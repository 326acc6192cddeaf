using System.Buffers;
using K8sCache.Sidecar.PubSub;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// Pub/sub (docs/redis.md): SUBSCRIBE, PSUBSCRIBE and their UNSUBSCRIBEs, PUBLISH and PUBSUB. Subscriptions live on
/// this node; a message published on any node reaches the subscribers of every node (<see cref="MessageBus"/>).
/// Confirmations and messages are RESP3 pushes on a RESP3 connection, arrays on a RESP2 one.
/// </summary>
internal sealed partial class RespCommands
{
    /// <summary>SUBSCRIBE channel [channel ...]</summary>
    public ValueTask Subscribe(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        var subscriber = SubscriberOf(session);
        for (var i = 1; i < request.Count; i++)
        {
            if (subscriber.Channels.Add(SubscriptionRegistry.NameOf(request[i])))
            {
                bus.Subscriptions.Subscribe(subscriber, request[i]);
            }

            Confirm(output, "subscribe"u8, request.Bytes(i), subscriber.Count, session.Protocol);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>PSUBSCRIBE pattern [pattern ...]</summary>
    public ValueTask PatternSubscribe(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        var subscriber = SubscriberOf(session);
        for (var i = 1; i < request.Count; i++)
        {
            if (subscriber.Patterns.Add(SubscriptionRegistry.NameOf(request[i])))
            {
                bus.Subscriptions.SubscribePattern(subscriber, request.Bytes(i));
            }

            Confirm(output, "psubscribe"u8, request.Bytes(i), subscriber.Count, session.Protocol);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>UNSUBSCRIBE [channel ...]: the named channels, or all of them.</summary>
    public ValueTask Unsubscribe(RespRequest request, RespSession session, IBufferWriter<byte> output) =>
        Leave(request, session, output, "unsubscribe"u8, patterns: false);

    /// <summary>PUNSUBSCRIBE [pattern ...]: the named patterns, or all of them.</summary>
    public ValueTask PatternUnsubscribe(RespRequest request, RespSession session, IBufferWriter<byte> output) =>
        Leave(request, session, output, "punsubscribe"u8, patterns: true);

    /// <summary>PUBLISH channel message: answers how many subscribers on this node received it.</summary>
    public ValueTask Publish(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        RespWriter.Integer(output, bus.Publish(request.Bytes(1), request.Bytes(2)));
        return ValueTask.CompletedTask;
    }

    /// <summary>PUBSUB CHANNELS [pattern] | NUMSUB [channel ...] | NUMPAT, about this node's subscribers.</summary>
    public ValueTask PubSub(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        if (request.Is(1, "CHANNELS"u8) && request.Count <= 3)
        {
            var channels = bus.Subscriptions.Channels(request.Count == 3 ? request[2] : []);
            RespWriter.Array(output, channels.Count);
            foreach (var channel in channels)
            {
                RespWriter.Bulk(output, SubscriptionRegistry.BytesOf(channel));
            }
        }
        else if (request.Is(1, "NUMSUB"u8))
        {
            RespWriter.Array(output, (request.Count - 2) * 2);
            for (var i = 2; i < request.Count; i++)
            {
                RespWriter.Bulk(output, request[i]);
                RespWriter.Integer(output, bus.Subscriptions.SubscriberCount(request[i]));
            }
        }
        else if (request.Is(1, "NUMPAT"u8) && request.Count == 2)
        {
            RespWriter.Integer(output, bus.Subscriptions.PatternCount());
        }
        else
        {
            throw new RespSyntaxException($"ERR unknown subcommand or wrong number of arguments for '{request.Text(1)}'. Try PUBSUB HELP.");
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Ends a closed connection's subscriptions.</summary>
    public void EndSession(RespSession session) => session.Subscriber?.Leave(bus.Subscriptions);

    private ValueTask Leave(RespRequest request, RespSession session, IBufferWriter<byte> output, ReadOnlySpan<byte> kind, bool patterns)
    {
        var subscriber = session.Subscriber;
        var names = request.Count > 1
            ? Enumerable.Range(1, request.Count - 1).Select(i => SubscriptionRegistry.NameOf(request[i])).ToList()
            : (patterns ? subscriber?.Patterns : subscriber?.Channels)?.ToList() ?? [];
        if (names.Count == 0)
        {
            Confirm(output, kind, null, subscriber?.Count ?? 0, session.Protocol);
            return ValueTask.CompletedTask;
        }

        foreach (var name in names)
        {
            if (subscriber is not null && (patterns ? subscriber.Patterns.Remove(name) : subscriber.Channels.Remove(name)))
            {
                _ = patterns ? bus.Subscriptions.UnsubscribePattern(subscriber, name) : bus.Subscriptions.Unsubscribe(subscriber, name);
            }

            Confirm(output, kind, SubscriptionRegistry.BytesOf(name), subscriber?.Count ?? 0, session.Protocol);
        }

        return ValueTask.CompletedTask;
    }

    private RespSubscriber SubscriberOf(RespSession session) =>
        session.Subscriber ??= new RespSubscriber(session, node.Options.Resp.MaxSubscriberBacklogBytes, bus.Stats);

    /// <summary>The reply to each channel or pattern of a (un)subscribe: kind, name (null: there was none to leave),
    /// and how many subscriptions the connection has now.</summary>
    private static void Confirm(IBufferWriter<byte> output, ReadOnlySpan<byte> kind, byte[]? name, int count, int protocol)
    {
        RespWriter.Push(output, 3, protocol);
        RespWriter.Bulk(output, kind);
        if (name is null)
        {
            RespWriter.Null(output, protocol);
        }
        else
        {
            RespWriter.Bulk(output, name);
        }

        RespWriter.Integer(output, count);
    }
}
