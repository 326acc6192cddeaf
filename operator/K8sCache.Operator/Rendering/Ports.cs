namespace K8sCache.Operator.Rendering;

/// <summary>The sidecar's ports in a pod, as its configuration contract names them (docs/configuration.md).</summary>
internal static class Ports
{
    public const int Peer = 7070;
    public const int Api = 7071;
    public const int Grpc = 7072;
    public const int Metrics = 9090;
    public const int Resp = 6379;

    /// <summary>Every port the sidecar listens on in the pod: the application's containers must leave them free.</summary>
    public static readonly IReadOnlyList<int> All = [Peer, Api, Grpc, Metrics, Resp];
}
