using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Loading;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Tests.Fixtures;

/// <summary>A picker whose owner the test chooses per key (null = this node owns it).</summary>
internal sealed class FakePicker : IPeerPicker
{
    public Func<string, IPeer?> Owner { get; set; } = _ => null;

    public List<IPeer> OtherPeers { get; } = [];

    public IReadOnlyList<IPeer> Others => OtherPeers;

    public IPeer? PickOwner(string key) => Owner(key);

    /// <summary>Who owned the key before the last ring change (null: nobody to ask).</summary>
    public Func<string, IPeer?> Previous { get; set; } = _ => null;

    public IPeer? PreviousOwner(string key, int choice = 0) => choice == 0 ? Previous(key) : null;
}

/// <summary>A peer that answers from a dictionary, records what it was asked, and fails when told to.</summary>
internal sealed class FakePeer(string address) : IPeer
{
    public string Address { get; } = address;

    public Dictionary<string, (byte[] Value, long TtlMs)> Values { get; } = [];

    public List<string> Invalidated { get; } = [];

    public List<(string Key, byte[] Value, long TtlMs)> Sets { get; } = [];

    public int Gets;

    /// <summary>Calls fail as to an unreachable node (UNAVAILABLE).</summary>
    public bool Down { get; set; }

    /// <summary>The failure detector's verdict, which the read and write paths consult before calling.</summary>
    public bool MarkedDown { get; set; }

    /// <summary>Whether this node's lease on the peer's hot copies runs.</summary>
    public bool LeaseValid { get; set; } = true;

    /// <summary>Answers carry no_store, as when the owner's loader said Cache-Control: no-store.</summary>
    public bool NoStore { get; set; }

    /// <summary>Invalidations recorded as missed.</summary>
    public int Missed;

    public bool IsDown => MarkedDown;

    public bool CopiesServable(long nowMs) => LeaseValid || MarkedDown;

    public long RecordMissedInvalidation()
    {
        Interlocked.Increment(ref Missed);
        return long.MinValue;
    }

    /// <summary>Batch Gets, each as the keys it was asked.</summary>
    public List<string[]> Batches { get; } = [];

    /// <summary>Keys whose load fails on this owner (answered as a failed load, not as a failing owner).</summary>
    public HashSet<string> FailingKeys { get; } = [];

    /// <summary>Holds Gets and batch Gets until the test completes it.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public async Task<PeerValue> GetAsync(string group, string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Gets);
        await (Gate?.Task ?? Task.CompletedTask);
        ThrowIfDown();
        return Answer(key);
    }

    public async Task GetManyAsync(string group, IReadOnlyList<string> keys, Action<PeerBatchAnswer> onAnswer, CancellationToken cancellationToken)
    {
        lock (Batches)
        {
            Batches.Add([.. keys]);
        }

        await (Gate?.Task ?? Task.CompletedTask);
        ThrowIfDown();
        for (var i = 0; i < keys.Count; i++)
        {
            onAnswer(FailingKeys.Contains(keys[i])
                ? new PeerBatchAnswer(i, null, new PeerCallException(PeerFailure.LoadFailed, "origin answered 500"))
                : new PeerBatchAnswer(i, Answer(keys[i]), null));
        }
    }

    private PeerValue Answer(string key) =>
        Values.TryGetValue(key, out var v) ? new PeerValue(true, v.Value, v.TtlMs, NoStore) : new PeerValue(false, [], 0);

    /// <summary>Cached-only Gets (a new owner asking the previous one); <see cref="CachedGate"/> holds them until released.</summary>
    public int CachedGets;

    public TaskCompletionSource? CachedGate { get; set; }

    public TaskCompletionSource CachedGetStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<PeerValue> GetCachedAsync(string group, string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref CachedGets);
        CachedGetStarted.TrySetResult();
        if (CachedGate is { } gate)
        {
            await gate.Task;
        }

        ThrowIfDown();
        return Values.TryGetValue(key, out var v) ? new PeerValue(true, v.Value, v.TtlMs, NoStore) : new PeerValue(false, [], 0);
    }

    public Task<PeerWrite> SetAsync(string group, string key, byte[] value, long ttlMs, SetCondition condition, bool keepTtl, bool returnPrevious, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        lock (Sets)
        {
            Sets.Add((key, value, ttlMs));
        }

        Values[key] = (value, ttlMs);
        return Task.FromResult(new PeerWrite(true, []));
    }

    public Task<PeerWrite> DeleteAsync(string group, string key, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return Task.FromResult(new PeerWrite(Values.Remove(key), []));
    }

    /// <summary>Programs run on this peer, in order.</summary>
    public List<byte[]> Programs { get; } = [];

    /// <summary>What every program run here answers.</summary>
    public byte[] RunReply { get; set; } = "+OK\r\n"u8.ToArray();

    public Task<PeerRun> RunAsync(string group, ReadOnlyMemory<byte> program, int protocol, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        lock (Programs)
        {
            Programs.Add(program.ToArray());
        }

        return Task.FromResult(new PeerRun(RunReply, []));
    }

    public Task<PeerWrite> ExpireAsync(string group, string key, long ttlMs, ExpireCondition condition, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        var held = Values.TryGetValue(key, out var v);
        if (held)
        {
            Values[key] = (v.Value, ttlMs);
        }

        return Task.FromResult(new PeerWrite(held, []));
    }

    public Task<PeerValue> PeekAsync(string group, string key, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return Task.FromResult(Values.TryGetValue(key, out var v) ? new PeerValue(true, [], v.TtlMs) : new PeerValue(false, [], 0));
    }

    public Task InvalidateAsync(string group, string key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        lock (Invalidated)
        {
            Invalidated.Add(key);
        }

        return Task.CompletedTask;
    }

    private void ThrowIfDown()
    {
        if (Down)
        {
            throw new PeerCallException(PeerFailure.Unreachable, $"{Address} is down");
        }
    }
}

/// <summary>A healthy peer whose Get answers only when the test opens the gate.</summary>
internal sealed class GatedPeer(string address, Task gate) : IPeer
{
    public string Address { get; } = address;

    public bool IsDown => false;

    public bool CopiesServable(long nowMs) => true;

    public long RecordMissedInvalidation() => long.MinValue;

    public async Task<PeerValue> GetAsync(string group, string key, CancellationToken cancellationToken)
    {
        await gate;
        return new PeerValue(true, "v"u8.ToArray(), 0);
    }

    public Task<PeerWrite> SetAsync(string group, string key, byte[] value, long ttlMs, SetCondition condition, bool keepTtl, bool returnPrevious, CancellationToken cancellationToken) =>
        Task.FromResult(new PeerWrite(true, []));

    public Task<PeerWrite> DeleteAsync(string group, string key, CancellationToken cancellationToken) =>
        Task.FromResult(new PeerWrite(false, []));

    public Task<PeerWrite> ExpireAsync(string group, string key, long ttlMs, ExpireCondition condition, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<PeerValue> PeekAsync(string group, string key, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<PeerRun> RunAsync(string group, ReadOnlyMemory<byte> program, int protocol, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task InvalidateAsync(string group, string key, TimeSpan timeout, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A healthy owner whose limits refuse every write, as a node with a smaller MaxValueBytes would.</summary>
internal sealed class RefusingPeer(string address) : IPeer
{
    public string Address { get; } = address;

    public bool IsDown => false;

    public bool CopiesServable(long nowMs) => true;

    public long RecordMissedInvalidation() => long.MinValue;

    public Task<PeerValue> GetAsync(string group, string key, CancellationToken cancellationToken) => Task.FromResult(new PeerValue(false, [], 0));

    public Task<PeerWrite> SetAsync(string group, string key, byte[] value, long ttlMs, SetCondition condition, bool keepTtl, bool returnPrevious, CancellationToken cancellationToken) =>
        throw new PeerCallException(PeerFailure.TooLarge, "the value is 9 bytes; the limit is MaxValueBytes=4");

    public Task<PeerWrite> DeleteAsync(string group, string key, CancellationToken cancellationToken) => Task.FromResult(new PeerWrite(false, []));

    public Task<PeerWrite> ExpireAsync(string group, string key, long ttlMs, ExpireCondition condition, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<PeerValue> PeekAsync(string group, string key, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<PeerRun> RunAsync(string group, ReadOnlyMemory<byte> program, int protocol, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task InvalidateAsync(string group, string key, TimeSpan timeout, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A loader that counts calls and answers what the test says; <see cref="Gate"/> holds loads until released.</summary>
internal sealed class FakeLoader : ILoader
{
    public string Kind => "fake";

    public int Calls;

    public Func<string, LoadResult> Answer { get; set; } = key => new LoadResult(true, System.Text.Encoding.UTF8.GetBytes("v:" + key), null, true);

    public TaskCompletionSource? Gate { get; set; }

    public async Task<LoadResult> LoadAsync(string group, string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        if (Gate is { } gate)
        {
            await gate.Task;
        }

        return Answer(key);
    }

    public void Dispose()
    {
    }
}
