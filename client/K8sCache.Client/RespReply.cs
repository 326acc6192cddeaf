namespace K8sCache.Client;

/// <summary>One reply of the sidecar's Redis endpoint, as far as the client's commands need: status, error, integer,
/// bulk string or null, and arrays of those (MGET).</summary>
internal readonly record struct RespReply(RespReplyKind Kind, string? Text = null, long Integer = 0, byte[]? Bulk = null, RespReply[]? Items = null)
{
    /// <summary>Throws the sidecar's error as a <see cref="K8sCacheException"/>, else returns the reply.</summary>
    public RespReply ThrowIfError(string command) =>
        Kind == RespReplyKind.Error ? throw new K8sCacheException($"the sidecar refused {command}: {Text}") : this;
}
