using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Peers;
using K8sCache.Sidecar.Telemetry;

namespace K8sCache.Sidecar.Node;

/// <summary>
/// The writes (and peeks) an application makes on this node: applied here when this node owns the key
/// (<see cref="OwnerWrites"/>), otherwise sent to the owner. Success means the owner applied the write; a down owner is
/// refused at once; a call that gets no answer is reported as not applied (or, past the deadline, as of unknown
/// outcome); an owner that refuses the write gives its reason. This node's copy is dropped before the call and again
/// after it: a fetch in flight may have read the old value meanwhile.
/// </summary>
internal sealed class ApplicationWrites(string group, IPeerPicker picker, OwnerWrites ownerWrites, Func<string, GetResult> peekLocal, ICacheStore hot, KeyFences fences)
{
    /// <summary>Not an async method: a Set this node owns usually completes at once, and then costs no state machine
    /// and no task of its own.</summary>
    public Task<SetResult> SetAsync(string key, byte[] value, long ttlMs, SetCommand command, CancellationToken cancellationToken)
    {
        var span = SidecarTracing.Source.StartActivity("k8scache.set")?.SetTag(SidecarTracing.GroupTag, group);
        var owner = picker.PickOwner(key);
        var set = owner is null ? ownerWrites.SetAsync(key, value, ttlMs, command) : ForwardSetAsync(owner, key, value, ttlMs, command, cancellationToken);
        if (set.IsCompleted)
        {
            span?.Dispose();
            return set;
        }

        return span is null ? set : EndSpanAsync(set, span);
    }

    private Task<SetResult> ForwardSetAsync(IPeer owner, string key, byte[] value, long ttlMs, SetCommand command, CancellationToken cancellationToken) =>
        ForwardAsync(owner, key, async () =>
        {
            var written = await owner.SetAsync(group, key, value, ttlMs, command.Condition, command.KeepTtl, command.ReturnPrevious, cancellationToken);
            return new SetResult(written.Applied, written.PreviousFound, written.Previous ?? [], written.UnreachablePeers);
        });

    private static async Task<T> EndSpanAsync<T>(Task<T> operation, System.Diagnostics.Activity span)
    {
        using (span)
        {
            return await operation;
        }
    }

    public async Task<WriteResult> ExpireAsync(string key, long ttlMs, ExpireCondition condition, CancellationToken cancellationToken)
    {
        var owner = picker.PickOwner(key);
        if (owner is null)
        {
            return await ownerWrites.ExpireAsync(key, ttlMs, condition);
        }

        return await ForwardAsync(owner, key, async () =>
        {
            var written = await owner.ExpireAsync(group, key, ttlMs, condition, cancellationToken);
            return new WriteResult(written.Applied, written.UnreachablePeers);
        });
    }

    public async Task<WriteResult> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        using var span = SidecarTracing.Source.StartActivity("k8scache.delete")?.SetTag(SidecarTracing.GroupTag, group);
        var owner = picker.PickOwner(key);
        if (owner is null)
        {
            return await ownerWrites.DeleteAsync(key);
        }

        return await ForwardAsync(owner, key, async () =>
        {
            var written = await owner.DeleteAsync(group, key, cancellationToken);
            return new WriteResult(written.Applied, written.UnreachablePeers);
        });
    }

    /// <summary>An atomic program routed by <paramref name="routingKey"/>: run here by <paramref name="runHere"/> when this
    /// node owns it, else by the owner.</summary>
    public async Task<AtomicResult> RunAsync(string routingKey, ReadOnlyMemory<byte> program, int protocol, Func<Task<AtomicResult>> runHere, CancellationToken cancellationToken)
    {
        var owner = picker.PickOwner(routingKey);
        if (owner is null)
        {
            return await runHere();
        }

        return await ForwardAsync(owner, routingKey, async () =>
        {
            var ran = await owner.RunAsync(group, program, protocol, cancellationToken);
            return new AtomicResult(ran.Reply, ran.UnreachablePeers);
        });
    }

    /// <summary>Whether the owner holds the key, and its remaining lifetime; never loads it or moves its value.</summary>
    public async Task<GetResult> PeekAsync(string key, CancellationToken cancellationToken)
    {
        var owner = picker.PickOwner(key);
        if (owner is null)
        {
            return peekLocal(key);
        }

        if (owner.IsDown)
        {
            throw new OwnerUnavailableException(owner.Address, "it is marked down after failed calls");
        }

        try
        {
            var held = await owner.PeekAsync(group, key, cancellationToken);
            return held.Found ? new GetResult(true, [], held.TtlMs, CacheSource.Peer) : GetResult.NotFound(CacheSource.Peer);
        }
        catch (PeerCallException e)
        {
            throw new OwnerUnavailableException(owner.Address, e);
        }
    }

    private async Task<T> ForwardAsync<T>(IPeer owner, string key, Func<Task<T>> call)
    {
        if (owner.IsDown)
        {
            throw new OwnerUnavailableException(owner.Address, "it is marked down after failed calls");
        }

        fences.Fence(key, () => hot.Remove(key));
        try
        {
            return await call();
        }
        catch (PeerCallException e) when (RefusalKind(e.Failure) is { } kind)
        {
            // The owner answered and refused the write itself (its groups or limits differ from this node's while a
            // configuration change rolls out): nothing was written, and the reason is the owner's.
            throw kind == InputErrorKind.WrongType
                ? InputException.WrongType()
                : new InputException(kind, $"the owner of the key, {owner.Address}, refused the write: {e.Message}");
        }
        catch (PeerCallException e)
        {
            throw new OwnerUnavailableException(owner.Address, e);
        }
        finally
        {
            fences.Fence(key, () => hot.Remove(key));
        }
    }

    private static InputErrorKind? RefusalKind(PeerFailure failure) => failure switch
    {
        PeerFailure.InvalidArgument => InputErrorKind.InvalidArgument,
        PeerFailure.UnknownGroup => InputErrorKind.UnknownGroup,
        PeerFailure.TooLarge => InputErrorKind.TooLarge,
        PeerFailure.WrongType => InputErrorKind.WrongType,
        _ => null,
    };
}
