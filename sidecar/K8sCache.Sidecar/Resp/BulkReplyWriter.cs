using System.Buffers;
using K8sCache.Sidecar.Caching;

namespace K8sCache.Sidecar.Resp;

/// <summary>Writes a value the store hands over (inside its lock) as a RESP bulk string: one copy, from the store's
/// memory into the connection's output buffer.</summary>
internal readonly struct BulkReplyWriter(IBufferWriter<byte> output) : ICacheValueReader
{
    public void Read(scoped ReadOnlySpan<byte> value, long expiresAtMs) => RespWriter.Bulk(output, value);
}
