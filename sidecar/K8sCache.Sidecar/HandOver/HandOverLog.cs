namespace K8sCache.Sidecar.HandOver;

internal static partial class HandOverLog
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Information, Message = "{Node} handed over {Sent} entries ({Bytes} bytes) on {Reason} in {Ms} ms: {Stored} stored by their owners, {Dropped} dropped")]
    public static partial void Finished(ILogger logger, string node, string reason, long sent, long bytes, long stored, long dropped, long ms);

    [LoggerMessage(EventId = 801, Level = LogLevel.Warning, Message = "{Node} could not hand entries over to {Peer}: {Reason}")]
    public static partial void PeerFailed(ILogger logger, string node, string peer, string reason);
}
