using System.Buffers;
using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Resp;

/// <summary>A command as the owner of its keys runs it inside an atomic program: arity and key positions as Redis's
/// COMMAND gives them (<see cref="RespCommandInfo"/>), and the handler over the locked entries.</summary>
internal sealed record RespOwnerCommand(
    string Name,
    int Arity,
    int FirstKey,
    int LastKey,
    int Step,
    Action<RespRequest, AtomicEntries, IBufferWriter<byte>, int> Handler)
{
    public bool Accepts(int count) => Arity >= 0 ? count == Arity : count >= -Arity;

    /// <summary>The argument positions holding keys.</summary>
    public IEnumerable<int> KeyPositions(int count)
    {
        var last = LastKey < 0 ? count + LastKey : LastKey;
        for (var i = FirstKey; FirstKey > 0 && i <= last && i < count; i += Step)
        {
            yield return i;
        }
    }
}
