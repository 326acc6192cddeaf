using System.Threading.Channels;

namespace K8sCache.Kubernetes.Testing;

/// <summary>Watches: replay from a resourceVersion, live events, and the 410 Gone of a compacted history.</summary>
public sealed partial class ObjectStore
{
    /// <summary>Opens a watch from <paramref name="fromVersion"/> (null: start with the current objects as ADDED).
    /// Throws 410 Gone when that version was compacted away.</summary>
    public ChannelReader<StoredEvent> Watch(ApiResource resource, string? ns, long? fromVersion, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<StoredEvent>();
        lock (_lock)
        {
            if (fromVersion is { } from && from < _compactedThrough)
            {
                throw new ApiException(Statuses.Gone($"too old resource version: {from} ({_compactedThrough})"));
            }

            if (fromVersion is null)
            {
                foreach (var obj in List(resource, ns, _ => true).Items)
                {
                    channel.Writer.TryWrite(new StoredEvent(_resourceVersion, resource, ns, "ADDED", obj));
                }
            }
            else
            {
                foreach (var change in _history.Where(e => e.ResourceVersion > fromVersion && Matches(e, resource, ns)))
                {
                    channel.Writer.TryWrite(change);
                }
            }

            var watcher = (resource, ns, channel);
            _watchers.Add(watcher);
            cancellationToken.Register(() =>
            {
                lock (_lock)
                {
                    _watchers.Remove(watcher);
                }

                channel.Writer.TryComplete();
            });
        }

        return channel.Reader;
    }

    /// <summary>
    /// Models an API server whose watch cache restarted: open watches end, the history is lost, and a watch from any
    /// resourceVersion up to now gets 410 Gone, so every client must list again.
    /// </summary>
    public void RestartWatchCache()
    {
        lock (_lock)
        {
            _history.Clear();
            _compactedThrough = _resourceVersion + 1;
            foreach (var (_, _, channel) in _watchers)
            {
                channel.Writer.TryComplete();
            }

            _watchers.Clear();
        }
    }
}
