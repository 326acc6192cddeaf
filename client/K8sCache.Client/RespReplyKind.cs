namespace K8sCache.Client;

internal enum RespReplyKind
{
    Simple,
    Error,
    Integer,
    Bulk,
    Null,
    Array,
}
