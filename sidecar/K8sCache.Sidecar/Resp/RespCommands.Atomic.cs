using System.Buffers;
using System.Text;
using K8sCache.Sidecar.Node;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// Commands the owner of their keys runs atomically (<see cref="RespAtomicRunner"/>): counters, hashes, the string
/// commands that read before they write, and MULTI/EXEC/WATCH. Every key of one program must have one owner: keys of
/// several owners are refused as Redis Cluster refuses keys of several slots (CROSSSLOT); a hash tag (<c>{…}</c> in
/// the key) places keys on one owner.
/// </summary>
internal sealed partial class RespCommands
{
    private static RespSyntaxException CrossSlot() => new("CROSSSLOT Keys in request don't hash to the same slot");

    /// <summary>One command, run by the owner of its keys; its reply is the owner's.</summary>
    public async ValueTask RunOnOwnerAsync(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        var (group, arguments, keys) = Localize(request);
        RequireOneOwner(group, keys);
        var result = await group.RunAsync(keys[0], RespProgram.Of(arguments), session.Protocol, CancellationToken.None);
        RespWriter.Raw(output, result.Reply);
    }

    public ValueTask Multi(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        session.Multi = session.Multi is null ? new RespTransaction() : throw new RespSyntaxException("ERR MULTI calls can not be nested");
        RespWriter.Simple(output, "OK"u8);
        return ValueTask.CompletedTask;
    }

    public ValueTask Discard(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        _ = session.Multi ?? throw new RespSyntaxException("ERR DISCARD without MULTI");
        (session.Multi, session.Watches) = (null, []);
        RespWriter.Simple(output, "OK"u8);
        return ValueTask.CompletedTask;
    }

    public ValueTask Unwatch(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        session.Watches = [];
        RespWriter.Simple(output, "OK"u8);
        return ValueTask.CompletedTask;
    }

    /// <summary>WATCH: remembers each key's digest on its owner; EXEC runs nothing if one has changed since.</summary>
    public async ValueTask WatchAsync(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        if (session.Multi is not null)
        {
            throw new RespSyntaxException("ERR WATCH inside MULTI is not allowed");
        }

        for (var i = 1; i < request.Count; i++)
        {
            var (group, key) = Resolve(request, i);
            var program = RespProgram.Of([Encoding.ASCII.GetBytes(RespOwnerCommandTable.Digest), Encoding.UTF8.GetBytes(key)]);
            var result = await group.RunAsync(key, program, 2, CancellationToken.None);
            session.Watches.Add(new RespWatch(group, key, RespProgram.Decode(result.Reply)[0].Text(0)));
        }

        RespWriter.Simple(output, "OK"u8);
    }

    /// <summary>A command sent between MULTI and EXEC: checked, then queued (QUEUED). A refusal answers its error and
    /// condemns the transaction, as in Redis.</summary>
    public void Queue(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        var multi = session.Multi!;
        try
        {
            var (group, arguments, keys) = Localize(request);
            if (multi.Group is not null && !ReferenceEquals(group, multi.Group))
            {
                throw CrossSlot();
            }

            RequireOneOwner(group, [.. multi.Keys.Take(1), .. keys]);
            // The program carries each argument with its RESP framing (at most 16 bytes): counted, so a transaction
            // that fits here also fits the peer port's limit for Run.
            multi.Bytes += request.Length + 16L * request.Count;
            if (multi.Bytes > node.Options.Resp.MaxRequestBytes)
            {
                throw new RespSyntaxException($"ERR the transaction's commands exceed Resp:MaxRequestBytes ({node.Options.Resp.MaxRequestBytes} bytes)");
            }

            multi.Group = group;
            multi.Keys.AddRange(keys);
            multi.Queued.Add(arguments);
            RespWriter.Simple(output, "QUEUED"u8);
        }
        catch (Exception e) when (e is RespSyntaxException or InputException)
        {
            multi.Aborted = true;
            RespWriter.Error(output, ErrorReply(e));
        }
    }

    /// <summary>EXEC: the queued commands and the watched keys' checks as one program on their owner.</summary>
    public async ValueTask ExecAsync(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        var multi = session.Multi ?? throw new RespSyntaxException("ERR EXEC without MULTI");
        var watches = session.Watches;
        (session.Multi, session.Watches) = (null, []);
        if (multi.Aborted)
        {
            throw new RespSyntaxException("EXECABORT Transaction discarded because of previous errors.");
        }

        var group = multi.Group ?? watches.FirstOrDefault()?.Group;
        if (group is null)
        {
            RespWriter.Array(output, 0);
            return;
        }

        if (watches.Any(w => !ReferenceEquals(w.Group, group)))
        {
            throw CrossSlot();
        }

        var keys = multi.Keys.Concat(watches.Select(w => w.Key)).ToList();
        RequireOneOwner(group, keys);
        var program = new ArrayBufferWriter<byte>();
        RespProgram.Append(program, ["MULTI"u8.ToArray()]);
        foreach (var watch in watches)
        {
            RespProgram.Append(program, [Encoding.ASCII.GetBytes(RespOwnerCommandTable.Watched), Encoding.UTF8.GetBytes(watch.Key), Encoding.ASCII.GetBytes(watch.Digest)]);
        }

        multi.Queued.ForEach(arguments => RespProgram.Append(program, arguments));
        var result = await group.RunAsync(keys[0], program.WrittenMemory, session.Protocol, CancellationToken.None);
        RespWriter.Raw(output, result.Reply);
    }

    /// <summary>The command as its owner runs it: its arguments with the keys' group prefixes removed, the one group
    /// they name, and the keys.</summary>
    private (Group Group, byte[][] Arguments, List<string> Keys) Localize(RespRequest request)
    {
        if (!RespOwnerCommandTable.TryFind(request[0], out var command) || command!.FirstKey == 0 || !command.Accepts(request.Count))
        {
            throw new RespSyntaxException($"ERR '{request.Text(0).ToLowerInvariant()}' cannot run inside a transaction: only key commands can (docs/redis.md)");
        }

        var arguments = Enumerable.Range(0, request.Count).Select(request.Bytes).ToArray();
        Group? group = null;
        var keys = new List<string>();
        foreach (var i in command.KeyPositions(request.Count))
        {
            var (named, key) = Resolve(request, i);
            if (group is not null && !ReferenceEquals(named, group))
            {
                throw CrossSlot();
            }

            group = named;
            keys.Add(key);
            arguments[i] = Encoding.UTF8.GetBytes(key);
        }

        return (group!, arguments, keys);
    }

    private static void RequireOneOwner(Group group, IEnumerable<string> keys)
    {
        if (keys.Select(group.OwnerOf).Distinct(StringComparer.Ordinal).Skip(1).Any())
        {
            throw CrossSlot();
        }
    }
}
