namespace K8sCache.Sidecar.Resp;

/// <summary>Counters of the Redis endpoint, for INFO.</summary>
internal sealed class RespStats
{
    private long _nextId;
    private long _connected;
    private long _received;
    private long _commands;
    private long _rejected;

    public DateTime Started { get; } = DateTime.UtcNow;

    public long Connected => Interlocked.Read(ref _connected);

    public long ConnectionsReceived => Interlocked.Read(ref _received);

    public long CommandsProcessed => Interlocked.Read(ref _commands);

    public long RejectedConnections => Interlocked.Read(ref _rejected);

    /// <summary>A connection opened: its id, and how many are open with it.</summary>
    public (long Id, long Open) Open()
    {
        Interlocked.Increment(ref _received);
        return (Interlocked.Increment(ref _nextId), Interlocked.Increment(ref _connected));
    }

    public void Close() => Interlocked.Decrement(ref _connected);

    public void Rejected() => Interlocked.Increment(ref _rejected);

    public void Command() => Interlocked.Increment(ref _commands);
}
