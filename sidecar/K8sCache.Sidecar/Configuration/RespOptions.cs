namespace K8sCache.Sidecar.Configuration;

/// <summary>The Redis protocol endpoint, section <c>K8sCache:Resp</c> (its TCP address is <c>RespAddress</c>).</summary>
internal sealed record RespOptions
{
    /// <summary>Also listen on this Unix domain socket (a path a pod's containers share through an emptyDir). None by
    /// default.</summary>
    public string? UnixSocket { get; init; }

    /// <summary>The group of every key whose prefix before the first <c>:</c> is not a group name (the whole key is
    /// the key). None by default: such keys are refused.</summary>
    public string? DefaultGroup { get; init; }

    /// <summary>File holding the password clients must send with AUTH (or HELLO … AUTH). None by default: no AUTH.</summary>
    public string? PasswordFile { get; init; }

    /// <summary>Open client connections; one more is answered with Redis's "max number of clients reached" and closed.
    /// Default 4000, at most 4096.</summary>
    public int MaxConnections { get; init; } = Defaults.RespMaxConnections;

    /// <summary>Largest request (one command with all its arguments) in bytes; a larger one is refused with a
    /// protocol error and the connection closed. Default 64 MiB, or MaxValueBytes plus 64 KiB if that is more; at
    /// least MaxValueBytes plus 64 KiB.</summary>
    public long MaxRequestBytes { get; init; } = Defaults.RespMaxRequestBytes;

    /// <summary>Most bytes of published messages waiting for one subscriber that does not read them; past it the
    /// subscriber is disconnected (Redis's pub/sub output buffer limit). Default 32 MiB.</summary>
    public long MaxSubscriberBacklogBytes { get; init; } = Defaults.RespMaxSubscriberBacklogBytes;
}
