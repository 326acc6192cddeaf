using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Node;

/// <summary>The group's writes: what an application asks of this node (<see cref="ApplicationWrites"/>), what this
/// node applies as the owner (<see cref="OwnerWrites"/>), and atomic programs (<see cref="IAtomicRunner"/>).</summary>
internal sealed partial class Group
{
    /// <summary>A Set from an application: applied by the owner, which invalidates every copy. Success means the owner
    /// stored it (or, with a condition, checked it); <see cref="OwnerUnavailableException"/> means nothing was stored.</summary>
    public Task<SetResult> SetAsync(string key, byte[] value, TimeSpan? ttl, CancellationToken cancellationToken, SetCommand command = default) =>
        _writes.SetAsync(key, value, TtlMs(ttl ?? Options.Ttl), command, cancellationToken);

    /// <summary>Changes the lifetime of a key its owner holds (<paramref name="ttlMs"/> 0: no expiry), as the
    /// condition allows; never loads it. <see cref="WriteResult.Existed"/> says whether the lifetime changed.</summary>
    public Task<WriteResult> ExpireAsync(string key, long ttlMs, ExpireCondition condition, CancellationToken cancellationToken) =>
        _writes.ExpireAsync(key, ttlMs, condition, cancellationToken);

    /// <summary>Whether the key's owner holds it and its remaining lifetime, without loading it or moving its value.</summary>
    public Task<GetResult> PeekAsync(string key, CancellationToken cancellationToken) => _writes.PeekAsync(key, cancellationToken);

    /// <summary>The owner's answer to a peek: its main cache only.</summary>
    public GetResult PeekLocal(string key)
    {
        var now = Now;
        return Main.TryGet(key, now, out var value) ? new GetResult(true, [], value.RemainingMs(now), CacheSource.Hit) : GetResult.NotFound(CacheSource.Hit);
    }

    /// <summary>A Delete from an application: applied by the owner, which invalidates every copy.</summary>
    public Task<WriteResult> DeleteAsync(string key, CancellationToken cancellationToken) => _writes.DeleteAsync(key, cancellationToken);

    /// <summary>Stores a value on this node as its owner if the command's condition holds, then tells every other node
    /// to drop its copy.</summary>
    public Task<SetResult> ApplySetAsync(string key, byte[] value, long ttlMs, SetCommand command = default) => _ownerWrites.SetAsync(key, value, ttlMs, command);

    /// <summary>Changes the lifetime of a key this node holds as its owner, then tells every other node to drop its copy.</summary>
    public Task<WriteResult> ApplyExpireAsync(string key, long ttlMs, ExpireCondition condition) => _ownerWrites.ExpireAsync(key, ttlMs, condition);

    /// <summary>Removes a key on this node as its owner, then tells every other node to drop its copy.</summary>
    public Task<WriteResult> ApplyDeleteAsync(string key) => _ownerWrites.DeleteAsync(key);

    /// <summary>An owner says the key changed: drop both copies and detach flights that may carry the old value.</summary>
    public void Invalidate(string key) => _ownerWrites.Invalidate(key);

    /// <summary>The member that owns <paramref name="key"/> (this node's name when it does).</summary>
    public string OwnerOf(string key) => _picker.PickOwner(key)?.Address ?? _node;

    /// <summary>An atomic program from an application, run by the owner of <paramref name="routingKey"/> (which owns
    /// every key of the program: the caller checked).</summary>
    public Task<AtomicResult> RunAsync(string routingKey, ReadOnlyMemory<byte> program, int protocol, CancellationToken cancellationToken) =>
        _writes.RunAsync(routingKey, program, protocol, () => ApplyRunAsync(program, protocol), cancellationToken);

    /// <summary>An atomic program on the member named <paramref name="member"/> (this node or a peer), whoever owns its
    /// keys: a step of a walk over every member's keys.</summary>
    public async Task<AtomicResult> RunAtAsync(string member, ReadOnlyMemory<byte> program, int protocol, CancellationToken cancellationToken)
    {
        var peer = _picker.Others.FirstOrDefault(p => p.Address == member);
        if (peer is null)
        {
            return await ApplyRunAsync(program, protocol);
        }

        try
        {
            var ran = await peer.RunAsync(Name, program, protocol, cancellationToken);
            return new AtomicResult(ran.Reply, ran.UnreachablePeers);
        }
        catch (PeerCallException e)
        {
            throw new OwnerUnavailableException(peer.Address, e);
        }
    }

    /// <summary>Runs an atomic program on this node as the owner of its keys, then tells every other node to drop the
    /// keys it changed.</summary>
    public Task<AtomicResult> ApplyRunAsync(ReadOnlyMemory<byte> program, int protocol) =>
        _runner is null
            ? throw new InputException(InputErrorKind.InvalidArgument, "this node runs no atomic programs")
            : _ownerWrites.RunAsync(_runner, program, protocol, TtlMs(Options.Ttl), _validator());
}
