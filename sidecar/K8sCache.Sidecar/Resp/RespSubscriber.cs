using System.Buffers;
using System.Collections.Concurrent;
using K8sCache.Sidecar.PubSub;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// One connection's subscriptions, and the messages published to it that wait for the connection to write them. A
/// publisher never waits: the message is encoded and queued, and the connection is woken (posted to its event loop, the
/// one thread that writes to the socket, which writes them). A connection whose queue grows past
/// <c>Resp:MaxSubscriberBacklogBytes</c> is not reading: it is closed, as Redis closes a pub/sub client over its output
/// buffer limit, and nobody else is slowed by it.
/// </summary>
internal sealed class RespSubscriber(RespSession session, long maxBacklogBytes, PubSubStats stats) : ISubscriber
{
    private readonly ConcurrentQueue<byte[]> _pending = new();
    private long _pendingBytes;
    private int _woken;
    private volatile bool _closed;

    /// <summary>Channels subscribed to, by their Latin-1 name (see <see cref="SubscriptionRegistry"/>). Only the
    /// connection's own loop changes them.</summary>
    public HashSet<string> Channels { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Patterns { get; } = new(StringComparer.Ordinal);

    /// <summary>Subscriptions of both kinds: what SUBSCRIBE's and UNSUBSCRIBE's replies count.</summary>
    public int Count => Channels.Count + Patterns.Count;

    public void Deliver(byte[]? pattern, byte[] channel, byte[] payload)
    {
        if (_closed)
        {
            return;
        }

        var message = Encode(pattern, channel, payload, session.Protocol);
        if (Interlocked.Add(ref _pendingBytes, message.Length) > maxBacklogBytes)
        {
            _closed = true;
            Interlocked.Increment(ref stats.SlowSubscribersClosed);
            session.Abort?.Invoke();
            return;
        }

        _pending.Enqueue(message);
        if (Interlocked.Exchange(ref _woken, 1) == 0)
        {
            session.Wake?.Invoke();
        }
    }

    /// <summary>Writes every queued message (the connection's event loop, before it sends).</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        Volatile.Write(ref _woken, 0);
        while (_pending.TryDequeue(out var message))
        {
            RespWriter.Raw(output, message);
            Interlocked.Add(ref _pendingBytes, -message.Length);
        }
    }

    /// <summary>Removes every subscription from the registry (UNSUBSCRIBE and PUNSUBSCRIBE of all, RESET, a closed
    /// connection).</summary>
    public void Leave(SubscriptionRegistry registry)
    {
        foreach (var channel in Channels)
        {
            registry.Unsubscribe(this, channel);
        }

        foreach (var pattern in Patterns)
        {
            registry.UnsubscribePattern(this, pattern);
        }

        Channels.Clear();
        Patterns.Clear();
    }

    private static byte[] Encode(byte[]? pattern, byte[] channel, byte[] payload, int protocol)
    {
        var output = new ArrayBufferWriter<byte>(channel.Length + payload.Length + (pattern?.Length ?? 0) + 48);
        if (pattern is null)
        {
            RespWriter.Push(output, 3, protocol);
            RespWriter.Bulk(output, "message"u8);
        }
        else
        {
            RespWriter.Push(output, 4, protocol);
            RespWriter.Bulk(output, "pmessage"u8);
            RespWriter.Bulk(output, pattern);
        }

        RespWriter.Bulk(output, channel);
        RespWriter.Bulk(output, payload);
        return output.WrittenSpan.ToArray();
    }
}
