using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Hosting;

/// <summary>
/// Re-reads <c>PeerTokenFile</c> when its content changes. When the kubelet has written a new token (the operator
/// replaced the Secret), calls to peers carry it from then on, and the previous one is still accepted for a while
/// (<see cref="PeerTokens"/>). A file that cannot be read, or holds a token too short, is logged and ignored.
/// </summary>
internal sealed partial class PeerTokenReloader(
    string path, PeerTokens tokens, PeerSet peers, TimeProvider timeProvider, ILogger<PeerTokenReloader> logger)
    : FileReloader(path, timeProvider)
{
    protected override void Apply()
    {
        if (tokens.Rotate(SidecarHost.ReadPeerToken(Path)))
        {
            peers.UseToken(tokens.Current);
            LogRotated(logger, Path);
        }
    }

    protected override void Rejected(string reason) => LogRejected(logger, Path, reason);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "The peer token in {Path} changed: peers are called with the new one; the previous one is accepted for a while")]
    private static partial void LogRotated(ILogger logger, string path);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Error, Message = "Ignored the changed peer token in {Path}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string path, string reason);
}
