namespace K8sCache.Sidecar.Node;

/// <summary>
/// What runs an atomic program on the node that owns its keys: the Redis endpoint's counters, hashes and transactions
/// (docs/redis.md). The node locks the keys the runner names, lets it read and change them through
/// <see cref="AtomicEntries"/>, then invalidates every key it changed on the other members. The program and its reply
/// are the runner's own format; the node only carries them.
/// </summary>
internal interface IAtomicRunner
{
    /// <summary>The keys the program reads or writes, locked while it runs. Throws <see cref="InputException"/> for a
    /// program it cannot read.</summary>
    IReadOnlyList<string> KeysOf(ReadOnlyMemory<byte> program);

    /// <summary>Runs the program with its keys locked and returns its reply, written for <paramref name="protocol"/>.</summary>
    byte[] Run(ReadOnlyMemory<byte> program, int protocol, AtomicEntries entries);
}
