namespace K8sCache.Sidecar.Node;

/// <summary>Log events of the read and write paths. Event ids are stable: 2000–2099. Keys are application data: they
/// appear only in Debug events, never at Information or above.</summary>
internal static partial class NodeLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Debug, Message = "{Node} loaded {Group}/{Key} from the loader in {ElapsedMs} ms (found: {Found})")]
    public static partial void Loaded(ILogger logger, string node, string group, string key, long elapsedMs, bool found);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "{Node} failed to load a key of {Group}: {Reason}")]
    public static partial void LoadFailed(ILogger logger, string node, string group, string reason);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "{Node} failed to load {Group}/{Key}")]
    public static partial void LoadFailedKey(ILogger logger, string node, string group, string key);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "{Node} could not fetch a key of {Group} from its owner {Peer}; loading locally: {Reason}")]
    public static partial void PeerFetchFailed(ILogger logger, string node, string group, string peer, string reason);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Debug, Message = "{Node} loaded {Group}/{Key} locally after its owner failed")]
    public static partial void PeerFetchFailedKey(ILogger logger, string node, string group, string key);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "{Node} could not invalidate a key of {Group} on {Peer}; waiting out its hot-copy lease: {Reason}")]
    public static partial void InvalidateFailed(ILogger logger, string node, string group, string peer, string reason);
}
