namespace K8sCache.Sidecar.Hashing;

/// <summary>
/// Consistent hashing with virtual nodes: every member is placed at <see cref="VirtualNodes"/> points on a 64-bit
/// circle, and a key belongs to the member of the first point at or after the key's hash. A joining or leaving member
/// takes or gives up only the arcs next to its own points, so about 1/N of the keys move.
/// Immutable: a membership change builds a new ring with a higher <see cref="Version"/>.
/// </summary>
internal sealed class HashRing
{
    /// <summary>Points per member. The share of keys a member owns varies by about 1/sqrt(points): 4096 keeps the
    /// busiest member within 5% of the mean up to 100 members (max/mean 1.008, 1.031, 1.047 at 3, 10, 100), at 48 KiB
    /// of ring per member and one more step of binary search than 2048.</summary>
    public const int DefaultVirtualNodes = 4096;

    private readonly string[] _members;
    private readonly ulong[] _points;
    private readonly int[] _owners;

    private HashRing(string[] members, ulong[] points, int[] owners, long version, int virtualNodes)
    {
        _members = members;
        Fingerprint = members.Length == 0 ? 0 : KeyHash.Hash(string.Join('\n', members));
        _points = points;
        _owners = owners;
        Version = version;
        VirtualNodes = virtualNodes;
    }

    /// <summary>An empty ring: owns nothing, every lookup answers null.</summary>
    public static HashRing Empty { get; } = new([], [], [], 0, DefaultVirtualNodes);

    /// <summary>The members, sorted ordinally, without duplicates.</summary>
    public IReadOnlyList<string> Members => _members;

    /// <summary>Increases with every rebuild on this node (a local counter: nodes do not compare versions).</summary>
    public long Version { get; }

    /// <summary>A hash of the sorted member list: equal on every node that sees the same members, whatever their
    /// versions. Travels in peer requests as the sender's view. 0 for the empty ring.</summary>
    public ulong Fingerprint { get; }

    public int VirtualNodes { get; }

    public static HashRing Create(IEnumerable<string> members, long version, int virtualNodes = DefaultVirtualNodes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(virtualNodes, 1);
        var sorted = MemberList.Normalize(members);
        var points = new ulong[sorted.Length * virtualNodes];
        var owners = new int[points.Length];
        var i = 0;
        for (var m = 0; m < sorted.Length; m++)
        {
            for (var v = 0; v < virtualNodes; v++)
            {
                points[i] = KeyHash.Hash($"{sorted[m]}#{v}");
                owners[i] = m;
                i++;
            }
        }

        // Every node sorts the same input the same way, so even tied points (vanishingly rare in 64 bits) resolve alike.
        Array.Sort(points, owners);
        return new HashRing(sorted, points, owners, version, virtualNodes);
    }

    /// <summary>The member owning <paramref name="key"/>, or null when the ring is empty. A key with a hash tag is
    /// placed by the tag alone, as Redis Cluster places it: the text between the first <c>{</c> and the first <c>}</c>
    /// after it, when that is not empty. Keys sharing a tag share an owner, so one atomic program can hold them. A
    /// ring of one member owns every key there without hashing it (a one-node group's writes ask this per command).</summary>
    public string? Owner(string key) => _members.Length switch
    {
        0 => null,
        1 => _members[0],
        _ => _members[OwnerIndex(KeyHash.Hash(HashTag(key)))],
    };

    /// <summary>The part of a key that places it (docs/redis.md, "Hash tags").</summary>
    public static ReadOnlySpan<char> HashTag(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        if (open < 0)
        {
            return key;
        }

        var close = key.IndexOf('}', open + 1);
        return close > open + 1 ? key.AsSpan(open + 1, close - open - 1) : key;
    }

    internal int OwnerIndex(ulong hash)
    {
        var index = Array.BinarySearch(_points, hash);
        if (index < 0)
        {
            index = ~index;
        }

        return _owners[index == _points.Length ? 0 : index];
    }
}
