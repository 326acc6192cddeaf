namespace K8sCache.Sidecar.Resp;

/// <summary>One client connection's state: its id, protocol (2 until HELLO 3), name and whether it authenticated.</summary>
internal sealed class RespSession(long id, bool authenticated)
{
    public long Id { get; } = id;

    public int Protocol { get; set; } = 2;

    public string? Name { get; set; }

    public string? LibraryName { get; set; }

    public string? LibraryVersion { get; set; }

    public bool Authenticated { get; set; } = authenticated;

    /// <summary>QUIT or a protocol error: close once the replies so far are sent.</summary>
    public bool Closing { get; set; }
}
