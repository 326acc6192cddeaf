using System.Buffers;
using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// An atomic program on the wire: commands as RESP arrays of bulk strings, one after another, keys without their
/// group's prefix. A program that starts with MULTI is a transaction: then come the watched keys' digests
/// (<c>K8SCACHE.WATCHED key digest</c>), then the queued commands, and the reply is EXEC's.
/// </summary>
internal static class RespProgram
{
    public static void Append(ArrayBufferWriter<byte> program, IReadOnlyList<byte[]> arguments)
    {
        RespWriter.Array(program, arguments.Count);
        foreach (var argument in arguments)
        {
            RespWriter.Bulk(program, argument);
        }
    }

    public static byte[] Of(IReadOnlyList<byte[]> arguments)
    {
        var program = new ArrayBufferWriter<byte>();
        Append(program, arguments);
        return program.WrittenSpan.ToArray();
    }

    /// <summary>The commands of a program (or of a reply shaped as arrays of bulk strings). Throws
    /// <see cref="InputException"/> for bytes that are not that.</summary>
    public static List<RespRequest> Decode(ReadOnlyMemory<byte> program)
    {
        var commands = new List<RespRequest>();
        var rest = program.Span;
        while (!rest.IsEmpty)
        {
            var command = new RespRequest();
            if (rest[0] != (byte)'*' || RespParser.TryParse(rest, command, program.Length, out var consumed, out _) != RespParseStatus.Command)
            {
                throw new InputException(InputErrorKind.InvalidArgument, "the atomic program is not a sequence of RESP arrays of bulk strings");
            }

            commands.Add(command);
            rest = rest[consumed..];
        }

        return commands;
    }
}
