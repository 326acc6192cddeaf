using System.Threading.Channels;

namespace K8sCache.Operator.Runtime;

/// <summary>
/// Keys waiting to be reconciled, with client-go's guarantees: a key is queued at most once however often it is added,
/// a key being processed is never handed to a second worker (added meanwhile, it is queued again when the first
/// finishes), and failed keys come back after a per-key capped exponential backoff.
/// </summary>
internal sealed class WorkQueue
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly HashSet<string> _processing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly Channel<string> _ready = Channel.CreateUnbounded<string>();
    private readonly TimeProvider _timeProvider;
    private readonly Backoff _backoff;
    private readonly Random _random = new();

    public WorkQueue(TimeProvider timeProvider, Backoff backoff)
    {
        _timeProvider = timeProvider;
        _backoff = backoff;
    }

    /// <summary>Keys queued and not yet handed out.</summary>
    public int Depth
    {
        get
        {
            lock (_lock)
            {
                return _dirty.Count(k => !_processing.Contains(k));
            }
        }
    }

    public void Add(string key)
    {
        lock (_lock)
        {
            if (!_dirty.Add(key) || _processing.Contains(key))
            {
                return;
            }
        }

        _ready.Writer.TryWrite(key);
    }

    public void AddAfter(string key, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        _ = DelayThenAddAsync(key, delay, cancellationToken);
    }

    /// <summary>Queues the key again after its backoff, which grows with each consecutive failure.</summary>
    public void AddRateLimited(string key, CancellationToken cancellationToken)
    {
        int failures;
        lock (_lock)
        {
            failures = _failures.GetValueOrDefault(key);
            _failures[key] = failures + 1;
        }

        AddAfter(key, _backoff.Delay(failures, _random), cancellationToken);
    }

    /// <summary>The key succeeded: its next failure starts the backoff over.</summary>
    public void Forget(string key)
    {
        lock (_lock)
        {
            _failures.Remove(key);
        }
    }

    public async ValueTask<string> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var key = await _ready.Reader.ReadAsync(cancellationToken);
            lock (_lock)
            {
                if (_dirty.Remove(key))
                {
                    _processing.Add(key);
                    return key;
                }
            }
        }
    }

    /// <summary>The worker finished <paramref name="key"/>; if it was added meanwhile, it is queued again.</summary>
    public void Done(string key)
    {
        bool again;
        lock (_lock)
        {
            _processing.Remove(key);
            again = _dirty.Contains(key);
        }

        if (again)
        {
            _ready.Writer.TryWrite(key);
        }
    }

    private async Task DelayThenAddAsync(string key, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _timeProvider, cancellationToken);
            Add(key);
        }
        catch (OperationCanceledException)
        {
            // Shutting down or lost leadership.
        }
    }
}
