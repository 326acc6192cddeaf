namespace K8sCache.Sidecar.Resp;

/// <summary>One client connection's state: its id, protocol (2 until HELLO 3), name, whether it authenticated, and
/// its transaction, watched keys and subscriptions.</summary>
internal sealed class RespSession(long id, bool authenticated)
{
    public long Id { get; } = id;

    public int Protocol { get; set; } = 2;

    public string? Name { get; set; }

    public string? LibraryName { get; set; }

    public string? LibraryVersion { get; set; }

    public bool Authenticated { get; set; } = authenticated;

    /// <summary>The transaction MULTI opened, until EXEC or DISCARD.</summary>
    public RespTransaction? Multi { get; set; }

    /// <summary>Keys WATCHed since the last EXEC, DISCARD or UNWATCH.</summary>
    public List<RespWatch> Watches { get; set; } = [];

    /// <summary>The connection's subscriptions, from its first SUBSCRIBE or PSUBSCRIBE on.</summary>
    public RespSubscriber? Subscriber { get; set; }

    /// <summary>Wakes the connection on its event loop to write published messages (any thread may call it).</summary>
    public Action? Wake { get; init; }

    /// <summary>Closes the connection at once (a subscriber that does not read its messages).</summary>
    public Action? Abort { get; init; }

    /// <summary>QUIT or a protocol error: close once the replies so far are sent.</summary>
    public bool Closing { get; set; }
}
