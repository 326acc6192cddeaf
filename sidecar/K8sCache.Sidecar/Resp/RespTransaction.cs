using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Resp;

/// <summary>A connection's MULTI: the commands queued (keys without their group's prefix), the one group and owner
/// they all use, and whether an error while queueing condemned it (EXEC then answers EXECABORT).</summary>
internal sealed class RespTransaction
{
    public List<byte[][]> Queued { get; } = [];

    public List<string> Keys { get; } = [];

    public Group? Group { get; set; }

    public long Bytes { get; set; }

    public bool Aborted { get; set; }
}
