using System.Buffers;
using System.Text;
using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// Runs the Redis endpoint's atomic programs (<see cref="RespProgram"/>) on the owner of their keys. A command's error
/// is its reply and the next command still runs, as in Redis's EXEC; a transaction whose watched key changed runs
/// nothing and answers a null array.
/// </summary>
internal sealed class RespAtomicRunner : IAtomicRunner
{
    public IReadOnlyList<string> KeysOf(ReadOnlyMemory<byte> program)
    {
        var keys = new List<string>();
        foreach (var command in RespProgram.Decode(program))
        {
            if (command.Is(0, "MULTI"u8))
            {
                continue;
            }

            var owner = Find(command);
            keys.AddRange(owner.KeyPositions(command.Count).Select(i => Encoding.UTF8.GetString(command[i])));
        }

        return keys;
    }

    public byte[] Run(ReadOnlyMemory<byte> program, int protocol, AtomicEntries entries)
    {
        var commands = RespProgram.Decode(program);
        var output = new ArrayBufferWriter<byte>();
        if (commands.Count == 0 || !commands[0].Is(0, "MULTI"u8))
        {
            commands.ForEach(c => Execute(c, entries, output, protocol));
            return output.WrittenSpan.ToArray();
        }

        var watched = commands.Skip(1).TakeWhile(c => c.Is(0, "K8SCACHE.WATCHED"u8)).ToList();
        if (watched.Any(w => RespOwnerCommands.DigestOf(entries, Encoding.UTF8.GetString(w[1])) != w.Text(2)))
        {
            RespWriter.Raw(output, protocol >= 3 ? "_\r\n"u8 : "*-1\r\n"u8);
            return output.WrittenSpan.ToArray();
        }

        var queued = commands.Skip(1 + watched.Count).ToList();
        RespWriter.Array(output, queued.Count);
        queued.ForEach(c => Execute(c, entries, output, protocol));
        return output.WrittenSpan.ToArray();
    }

    private static RespOwnerCommand Find(RespRequest command) =>
        RespOwnerCommandTable.TryFind(command[0], out var owner) && owner!.Accepts(command.Count)
            ? owner
            : throw new InputException(InputErrorKind.InvalidArgument, $"the atomic program holds a command this node does not run: '{command.Text(0)}' with {command.Count - 1} arguments");

    private static void Execute(RespRequest command, AtomicEntries entries, IBufferWriter<byte> output, int protocol)
    {
        try
        {
            Find(command).Handler(command, entries, output, protocol);
        }
        catch (RespSyntaxException e)
        {
            RespWriter.Error(output, e.Message);
        }
        catch (InputException e)
        {
            RespWriter.Error(output, e.Kind == InputErrorKind.WrongType ? e.Message : "ERR " + e.Message);
        }
    }
}
