namespace K8sCache.Sidecar.Node;

/// <summary>Log events of the read and write paths. Event ids are stable: 2000–2099.</summary>
internal static partial class NodeLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "{Node} loaded {Group}/{Key} from the loader in {ElapsedMs} ms (found: {Found})")]
    public static partial void Loaded(ILogger logger, string node, string group, string key, long elapsedMs, bool found);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "{Node} failed to load {Group}/{Key}: {Reason}")]
    public static partial void LoadFailed(ILogger logger, string node, string group, string key, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "{Node} could not fetch {Group}/{Key} from its owner {Peer}; loading locally: {Reason}")]
    public static partial void PeerFetchFailed(ILogger logger, string node, string group, string key, string peer, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "{Node} could not invalidate {Group}/{Key} on {Peer}: {Reason}")]
    public static partial void InvalidateFailed(ILogger logger, string node, string group, string key, string peer, string reason);
}
