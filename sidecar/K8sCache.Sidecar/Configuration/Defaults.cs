namespace K8sCache.Sidecar.Configuration;

/// <summary>
/// The one home of every default of the sidecar's configuration: the options records start from these values, the
/// options reader falls back to them, local mode and the operator leave them out. docs/configuration.md lists them.
/// The four addresses are also the container ports the operator declares; a contract test keeps the two equal.
/// </summary>
internal static class Defaults
{
    public const string PeerAddress = "0.0.0.0:7070";
    public const string ApiAddress = "127.0.0.1:7071";
    public const string GrpcAddress = "127.0.0.1:7072";
    public const string AdminAddress = "0.0.0.0:9090";

    /// <summary>The Redis protocol endpoint: Redis's own port, so clients need no change.</summary>
    public const string RespAddress = "127.0.0.1:6379";
    /// <summary>Below the host's own cap on connections per endpoint, so a client over the limit gets Redis's error
    /// reply instead of a silent close.</summary>
    public const int RespMaxConnections = 4000;
    public const long RespMaxRequestBytes = 64L << 20;

    /// <summary>How long after a ring change a node keeps the entries it no longer owns for their new owner, and the new
    /// owner asks the previous one before its loader: the hand-over's push and the members' convergence fit in it.</summary>
    public static readonly TimeSpan HandOverWindow = TimeSpan.FromSeconds(30);

    /// <summary>A hand-over batch: about this many bytes of entries (one larger entry goes alone).</summary>
    public const int HandOverBatchBytes = 1 << 20;

    /// <summary>The group every sidecar serves besides the configured ones: HybridCache's tag records, whose keys name
    /// no group (docs/redis.md). Not a DNS label, so no configured group can have its name.</summary>
    public const string TagsGroupName = "k8scache.tags";

    /// <summary>The tags group's budget: a tag record is a key and 8 bytes, so tens of thousands of tags fit.</summary>
    public const long TagsGroupMaxBytes = 4L << 20;

    /// <summary>Redis's hard limit for pub/sub clients' output buffers (client-output-buffer-limit pubsub 32mb).</summary>
    public const long RespMaxSubscriberBacklogBytes = 32L << 20;

    /// <summary>The peer and admin defaults when <c>POD_IP</c> is an IPv6 address: an IPv6-only pod has no IPv4
    /// address to listen on.</summary>
    public const string PeerAddressIPv6 = "[::]:7070";
    public const string AdminAddressIPv6 = "[::]:9090";

    public const int MaxKeyBytes = 1024;

    /// <summary>The largest MaxKeyBytes a configuration may set: the slab store keeps a key's length in 12 bits, and a
    /// key that is not valid Unicode is kept as UTF-16, up to twice its counted bytes.</summary>
    public const int MaxKeyBytesCeiling = 2047;
    public const int MaxValueBytes = 1024 * 1024;
    public const int MaxBatchKeys = 1000;

    /// <summary>A group's budget per node when its MaxBytes is not set and the node knows no memory limit.</summary>
    public const long GroupMaxBytes = 64L << 20;

    /// <summary>What a node needs besides its caches (runtime, buffers, connections), taken off the memory limit before
    /// the groups' budgets are derived from it.</summary>
    public const long FixedMemoryOverhead = 64L << 20;

    /// <summary>Memory an accounted byte of an S3-FIFO group costs, as a fraction (4/3): its entries sit in slab pages
    /// outside the GC's heap, so an accounted byte is about a byte of RSS; the third on top is the pages' free space, the
    /// ghost queue and the requests in flight (measured by bench/scripts/churn.sh).</summary>
    public const int SlabMemoryPerAccountedByteNumerator = 4;

    /// <inheritdoc cref="SlabMemoryPerAccountedByteNumerator"/>
    public const int SlabMemoryPerAccountedByteDenominator = 3;

    /// <summary>Memory an accounted byte of an LRU group costs: 2, since an entry object per key costs about 1.5 bytes of
    /// RSS per accounted byte (272 accounted bytes measured 396) and the collector needs room to work.</summary>
    public const int LruMemoryPerAccountedByte = 2;

    public static readonly TimeSpan DiscoveryInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan LoaderTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The longest loader timeout accepted: a load that may take longer is a batch job, not a cache miss.</summary>
    public static readonly TimeSpan MaxLoaderTimeout = TimeSpan.FromHours(1);

    /// <summary>The peer timeout when no group has a loader; with loaders it is the longest loader timeout plus
    /// <see cref="PeerTimeoutMargin"/>, if that is longer.</summary>
    public static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How much longer than the longest loader timeout a peer call waits: an owner that is loading must be
    /// given time to answer, or every waiting node would give up and load the key itself.</summary>
    public static readonly TimeSpan PeerTimeoutMargin = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan HotCacheTtl = TimeSpan.FromSeconds(30);

    /// <summary>How long the previous peer token is still accepted after the token file changed: long enough for the
    /// kubelet to rewrite every pod's file and for the StatefulSet to roll.</summary>
    public static readonly TimeSpan PreviousTokenGrace = TimeSpan.FromMinutes(10);

    /// <summary>How often every node pings every other node (failure detection and hot-copy leases).</summary>
    public static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a successful ping lets a node serve hot copies of that peer's keys, counted from when the
    /// ping was sent. A write waits at most this long (after a short try) for a bystander that does not acknowledge
    /// its invalidation, so no copy it missed is served once the write has returned.</summary>
    public static readonly TimeSpan HotCopyLease = TimeSpan.FromSeconds(1);

    /// <summary>How long an owner waits for a peer to acknowledge an invalidation before it counts the peer as having
    /// missed it and waits out the peer's lease instead.</summary>
    public static readonly TimeSpan InvalidationBudget = TimeSpan.FromMilliseconds(250);

    /// <summary>Failed calls in a row (timeouts, refused connections) after which a peer is marked down: its keys are
    /// then loaded locally without waiting, until a ping succeeds.</summary>
    public const int PeerFailuresToMarkDown = 3;

    /// <summary>Loader calls one group runs at once on this node; further misses wait for a free slot.</summary>
    public const int MaxConcurrentLoads = 64;
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>With the shutdown delay and timeout, inside Kubernetes' default 30 s grace period.</summary>
    public static readonly TimeSpan HandOverTimeout = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan ShutdownDelay = TimeSpan.FromSeconds(1);
}
