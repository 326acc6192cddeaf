using System.Buffers;
using System.Text;
using K8sCache.Sidecar.Loading;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;
using K8sCache.Sidecar.PubSub;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// Runs one parsed command and writes its reply: the checks every command passes (known name, arity, AUTH, a built
/// ring for key commands), then its handler (key commands in <c>RespCommands.Keys.cs</c>, connection and server
/// commands in <c>RespCommands.Server.cs</c>, pub/sub in <c>RespCommands.PubSub.cs</c>). Failures become Redis error replies; the connection stays open.
/// </summary>
internal sealed partial class RespCommands(CacheNode node, PeerSet peers, MessageBus bus, RespStats stats, ILogger logger)
{
    /// <summary>How much of each argument an "unknown command" error repeats.</summary>
    private const int EchoedArgumentChars = 128;

    /// <summary>Whether clients must AUTH first: a password file is configured.</summary>
    public bool PasswordRequired => node.Options.Resp.PasswordFile is not null;

    public ValueTask ExecuteAsync(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        stats.Command();
        if (!RespCommandTable.TryFind(request[0], out var command))
        {
            return Refuse(session, output, UnknownCommand(request));
        }

        if (!command!.Accepts(request.Count))
        {
            return Refuse(session, output, $"ERR wrong number of arguments for '{command.Name}' command");
        }

        if (!session.Authenticated && !command.AllowedBeforeAuth)
        {
            RespWriter.Error(output, "NOAUTH Authentication required.");
            return ValueTask.CompletedTask;
        }

        if (session.Subscriber is { Count: > 0 } && session.Protocol == 2 && !command.AllowedWhileSubscribed)
        {
            return Refuse(session, output, $"ERR Can't execute '{command.Name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
        }

        if (command.NeedsRing && !peers.IsReady)
        {
            RespWriter.Error(output, "LOADING K8sCache is not ready: the ring is not built yet");
            return ValueTask.CompletedTask;
        }

        if (session.Multi is not null && command.Name is not ("exec" or "discard" or "multi" or "watch" or "quit" or "reset"))
        {
            Queue(request, session, output);
            return ValueTask.CompletedTask;
        }

        ValueTask pending;
        try
        {
            pending = command.Handler(this, request, session, output);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RespWriter.Error(output, ErrorReply(e));
            return ValueTask.CompletedTask;
        }

        return pending.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitAsync(pending, output);
    }

    /// <summary>An error before the command runs; inside MULTI it condemns the transaction, as in Redis.</summary>
    private static ValueTask Refuse(RespSession session, IBufferWriter<byte> output, string error)
    {
        session.Multi?.Aborted = true;
        RespWriter.Error(output, error);
        return ValueTask.CompletedTask;
    }

    private async ValueTask AwaitAsync(ValueTask pending, IBufferWriter<byte> output)
    {
        try
        {
            await pending;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RespWriter.Error(output, ErrorReply(e));
        }
    }

    /// <summary>The error reply for a failure: what the HTTP API says in its status and body, in Redis's form.</summary>
    private string ErrorReply(Exception e)
    {
        switch (e)
        {
            case RespSyntaxException:
                return e.Message;
            case InputException { Kind: InputErrorKind.WrongType }:
                return e.Message;
            case InputException:
                return "ERR " + e.Message;
            case LoaderException:
                return "ERR loader failed: " + e.Message;
            case OwnerUnavailableException { OutcomeUnknown: true }:
                return "ERR outcome unknown: " + e.Message;
            case OwnerUnavailableException:
                return "ERR " + e.Message;
            default:
                RespLog.CommandFailed(logger, e);
                return "ERR internal error; the sidecar's log has the details";
        }
    }

    private static string UnknownCommand(RespRequest request)
    {
        var text = new StringBuilder($"ERR unknown command '{Echoed(request, 0)}', with args beginning with: ");
        for (var i = 1; i < request.Count && i <= 8; i++)
        {
            text.Append('\'').Append(Echoed(request, i)).Append("' ");
        }

        return text.ToString();
    }

    private static string Echoed(RespRequest request, int index)
    {
        var text = Encoding.UTF8.GetString(request[index][..Math.Min(request[index].Length, EchoedArgumentChars)]);
        return text.Replace('\r', ' ').Replace('\n', ' ');
    }
}
