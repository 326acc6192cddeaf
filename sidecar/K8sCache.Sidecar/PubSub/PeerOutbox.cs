using System.Collections.Concurrent;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.PubSub;

/// <summary>
/// The messages on their way to one peer: a bounded queue and one sender that takes them out in batches, with one
/// call in flight at a time, so the peer receives them in the order they were published here. Nothing is retried: a
/// message that cannot be queued (the queue is full, the peer is down) or whose call fails is dropped and counted, so
/// every subscriber gets each message at most once, and a slow peer never slows a publisher.
/// </summary>
internal sealed class PeerOutbox(IMessageRelay relay, long maxQueuedBytes, Func<long> maxBatchBytes, PubSubStats stats, ILogger logger)
{
    private readonly ConcurrentQueue<PeerMessage> _queue = new();
    private long _queuedBytes;
    private int _sending;

    public void Enqueue(PeerMessage message)
    {
        if (relay.IsDown || Interlocked.Add(ref _queuedBytes, message.Size) > maxQueuedBytes)
        {
            if (!relay.IsDown)
            {
                Interlocked.Add(ref _queuedBytes, -message.Size);
            }

            Interlocked.Increment(ref stats.RelayDropped);
            return;
        }

        _queue.Enqueue(message);
        if (Interlocked.CompareExchange(ref _sending, 1, 0) == 0)
        {
            _ = Task.Run(SendAsync);
        }
    }

    private async Task SendAsync()
    {
        var batch = new List<PeerMessage>();
        while (true)
        {
            batch.Clear();
            var bytes = 0L;
            var limit = maxBatchBytes();
            while (_queue.TryPeek(out var next) && (batch.Count == 0 || bytes + next.Size <= limit) && _queue.TryDequeue(out next))
            {
                batch.Add(next);
                bytes += next.Size;
            }

            if (batch.Count == 0)
            {
                // Stand down, then look again: a message queued between the last look and now found the sender busy.
                Volatile.Write(ref _sending, 0);
                if (_queue.IsEmpty || Interlocked.CompareExchange(ref _sending, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            Interlocked.Add(ref _queuedBytes, -bytes);
            try
            {
                await relay.PublishAsync(batch, CancellationToken.None);
                Interlocked.Add(ref stats.Relayed, batch.Count);
            }
            catch (PeerCallException e)
            {
                Interlocked.Add(ref stats.RelayDropped, batch.Count);
                PubSubLog.RelayFailed(logger, relay.Address, batch.Count, e.Message);
            }
        }
    }
}
