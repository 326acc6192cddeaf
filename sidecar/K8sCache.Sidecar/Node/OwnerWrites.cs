using K8sCache.Sidecar.Caching;

namespace K8sCache.Sidecar.Node;

/// <summary>
/// The writes a node applies as the key's owner (from an application on this node, or forwarded by a peer): each
/// changes the caches inside the key's fence, then has every other member drop its copy. Not cancellable: once
/// applied, a write is reported as applied, whatever happens to the invalidations. Every change of a key here, made or
/// announced by its owner, is reported to <paramref name="changed"/> once the caches hold it and before the write
/// returns or the invalidation is acknowledged (what tells applications' in-process caches, docs/design.md §4).
/// </summary>
internal sealed class OwnerWrites(ICacheStore main, ICacheStore hot, KeyFences fences, InvalidationFanOut fanOut, GroupStats stats, TimeProvider timeProvider, Action<string> changed)
{
    private long Now => MonotonicClock.NowMs(timeProvider);

    /// <summary>The answer to most Sets, shared: stored, nothing asked of what was held, every other member told.</summary>
    private static readonly Task<SetResult> Stored = Task.FromResult(new SetResult(true, false, [], []));

    /// <summary>Stores a value if the command's condition holds. Completes at once when no other member is to be told
    /// (a one-node group), without allocating for the plain Set; a failure is the task's, as an async method's.</summary>
    public Task<SetResult> SetAsync(string key, byte[] value, long ttlMs, SetCommand command)
    {
        bool applied, previousFound;
        byte[] previous;
        try
        {
            (applied, previousFound, previous) = SetFenced(key, value, ttlMs, command);
        }
        catch (Exception e)
        {
            return Task.FromException<SetResult>(e);
        }

        if (!applied)
        {
            return Task.FromResult(new SetResult(false, previousFound, previous, []));
        }

        changed(key);
        var invalidation = fanOut.InvalidateOthersAsync(key);
        return invalidation.IsCompletedSuccessfully && invalidation.Result.Count == 0 && !previousFound
            ? Stored
            : WhenInvalidatedAsync(previousFound, previous, invalidation);
    }

    private (bool Applied, bool PreviousFound, byte[] Previous) SetFenced(string key, byte[] value, long ttlMs, SetCommand command)
    {
        using (fences.Enter(key))
        {
            // A plain Set needs nothing of what is held: no lookup, so it does not count as a read either, and no
            // clock unless the value expires.
            var plain = command == default;
            var now = !plain || ttlMs > 0 ? Now : 0;
            CacheValue held = default;
            var previousFound = !plain && main.TryGet(key, now, out held);
            if (command.ReturnPrevious && previousFound && held.Kind != ValueKind.String)
            {
                throw InputException.WrongType();
            }

            var previous = command.ReturnPrevious && previousFound ? held.Value : [];
            if (command.Condition == SetCondition.IfAbsent && previousFound || command.Condition == SetCondition.IfPresent && !previousFound)
            {
                return (false, previousFound, previous);
            }

            hot.Remove(key);
            main.Set(key, value, command.KeepTtl && previousFound ? held.ExpiresAtMs : ttlMs > 0 ? now + ttlMs : 0);
            return (true, previousFound, previous);
        }
    }

    private static async Task<SetResult> WhenInvalidatedAsync(bool previousFound, byte[] previous, Task<IReadOnlyList<string>> invalidation) =>
        new(true, previousFound, previous, await invalidation);

    /// <summary>Changes the lifetime of a key held here, as the condition allows (a copy must not outlive the owner's
    /// entry, so copies are dropped too).</summary>
    public async Task<WriteResult> ExpireAsync(string key, long ttlMs, ExpireCondition condition)
    {
        var applied = false;
        fences.Fence(key, () =>
        {
            var now = Now;
            if (!main.TryGet(key, now, out var held))
            {
                return;
            }

            var next = ttlMs > 0 ? now + ttlMs : 0;
            applied = ExpireConditions.Allows(condition, held.ExpiresAtMs, next);
            if (applied)
            {
                hot.Remove(key);
                main.Set(key, held.Value, next, held.Kind);
            }
        });
        if (applied)
        {
            changed(key);
        }

        return new WriteResult(applied, applied ? await fanOut.InvalidateOthersAsync(key) : []);
    }

    /// <summary>Runs an atomic program with its keys fenced, then has every other member drop the keys it changed.</summary>
    public async Task<AtomicResult> RunAsync(IAtomicRunner runner, ReadOnlyMemory<byte> program, int protocol, long defaultTtlMs, InputValidator validator)
    {
        var keys = runner.KeysOf(program);
        var entries = new AtomicEntries(main, hot, Now, defaultTtlMs, validator);
        var reply = Array.Empty<byte>();
        fences.FenceMany(keys, () => reply = runner.Run(program, protocol, entries));
        foreach (var key in entries.Changed)
        {
            changed(key);
        }

        var unreachable = await Task.WhenAll(entries.Changed.Select(fanOut.InvalidateOthersAsync));
        return new AtomicResult(reply, unreachable.SelectMany(u => u).Distinct().ToArray());
    }

    /// <summary>Removes a key held here.</summary>
    public async Task<WriteResult> DeleteAsync(string key)
    {
        var existed = false;
        fences.Fence(key, () => existed = main.Remove(key) | hot.Remove(key));
        changed(key);
        return new WriteResult(existed, await fanOut.InvalidateOthersAsync(key));
    }

    /// <summary>An owner says the key changed: drop it from both caches (a copy in main is possible while two rings
    /// disagree about the owner) and detach flights that may carry the old value.</summary>
    public void Invalidate(string key)
    {
        Interlocked.Increment(ref stats.Invalidations);
        fences.Fence(key, () =>
        {
            hot.Remove(key);
            main.Remove(key);
        });
        changed(key);
    }
}
