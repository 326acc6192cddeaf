namespace K8sCache.Sidecar.Configuration;

/// <summary>
/// The sidecar's configuration, section <c>K8sCache</c> (docs/configuration.md). The key names are a contract with the operator
/// and with users' manifests: keys may be added, none renamed. That document lists every key; <see cref="Defaults"/> holds their defaults.
/// </summary>
internal sealed record SidecarOptions
{
    /// <summary>This node's peer address as the ring names it. Default: <c>POD_IP</c> plus the peer port.</summary>
    public required string Self { get; init; }

    /// <summary><c>static:///host:port,…</c> or <c>dns:///NAME:PORT</c>. Default: <c>static:///</c> of Self alone.</summary>
    public required string Discovery { get; init; }

    /// <summary>How often DNS discovery re-resolves and static discovery re-reads its list. Default 5s.</summary>
    public TimeSpan DiscoveryInterval { get; init; } = Defaults.DiscoveryInterval;

    /// <summary>Where the Peer service listens. Default 0.0.0.0:7070.</summary>
    public string PeerAddress { get; init; } = Defaults.PeerAddress;

    /// <summary>Where the HTTP/1.1 localhost API listens. Default 127.0.0.1:7071.</summary>
    public string ApiAddress { get; init; } = Defaults.ApiAddress;

    /// <summary>Where the gRPC Cache service listens (HTTP/2 only). Default 127.0.0.1:7072.</summary>
    public string GrpcAddress { get; init; } = Defaults.GrpcAddress;

    /// <summary>Where the Redis protocol (RESP2 and RESP3) is served. Default 127.0.0.1:6379; empty: not served.</summary>
    public string RespAddress { get; init; } = Defaults.RespAddress;

    public RespOptions Resp { get; init; } = new();

    /// <summary>Where /metrics, /healthz and /readyz are served. Default 0.0.0.0:9090.</summary>
    public string AdminAddress { get; init; } = Defaults.AdminAddress;

    /// <summary>File holding the shared peer token (the operator mounts it from a Secret). Required.</summary>
    public required string PeerTokenFile { get; init; }

    /// <summary>Deadline of one peer call. Default: the longest loader timeout plus 1s, and at least 2s. Set explicitly,
    /// it must exceed every loader timeout by that margin.</summary>
    public TimeSpan PeerTimeout { get; init; } = Defaults.PeerTimeout;

    /// <summary>Longest a hot copy of another owner's key is kept (never longer than the owner's entry). Default 30s.</summary>
    public TimeSpan HotCacheTtl { get; init; } = Defaults.HotCacheTtl;

    /// <summary>After SIGTERM, how long the node keeps serving everything with <c>/readyz</c> already failing, before
    /// it stops accepting connections. Default 1s.</summary>
    public TimeSpan ShutdownDelay { get; init; } = Defaults.ShutdownDelay;

    /// <summary>After SIGTERM, how long the node may spend handing its entries to their next owners (docs/design.md
    /// §4, "Hand-over"); 0: none. Default 15s.</summary>
    public TimeSpan HandOverTimeout { get; init; } = Defaults.HandOverTimeout;

    /// <summary>How long SIGTERM waits for calls in flight before the process exits. Default 10s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = Defaults.ShutdownTimeout;

    /// <summary>The memory this node may use: <c>MemoryLimit</c> (the pod's <c>limits.memory</c>, which the operator
    /// passes through the downward API), else the cgroup's <c>memory.max</c>; null when neither is known. Groups without
    /// a MaxBytes take their budgets from it.</summary>
    public long? MemoryLimit { get; init; }

    public LimitsOptions Limits { get; init; } = new();

    public IReadOnlyList<GroupOptions> Groups { get; init; } = [];
}
