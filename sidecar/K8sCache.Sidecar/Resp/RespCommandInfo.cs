using System.Buffers;

namespace K8sCache.Sidecar.Resp;

/// <summary>A command the endpoint serves: Redis's arity convention (n: exactly n arguments with the name; -n: at
/// least n), flags and key positions as COMMAND reports them, and the handler.</summary>
internal sealed record RespCommandInfo(
    string Name,
    int Arity,
    string[] Flags,
    int FirstKey,
    int LastKey,
    int Step,
    Func<RespCommands, RespRequest, RespSession, IBufferWriter<byte>, ValueTask> Handler)
{
    /// <summary>Served before AUTH when a password is set (Redis's no-auth commands).</summary>
    public bool AllowedBeforeAuth => Flags.Contains("no-auth");

    /// <summary>Reads or writes keys, so it needs the ring.</summary>
    public bool NeedsRing => FirstKey > 0;

    /// <summary>Served to a RESP2 connection with subscriptions (Redis's "subscribed" state); RESP3 allows any.</summary>
    public bool AllowedWhileSubscribed => Name is "subscribe" or "psubscribe" or "unsubscribe" or "punsubscribe" or "ping" or "quit" or "reset";

    public bool Accepts(int count) => Arity >= 0 ? count == Arity : count >= -Arity;
}
