using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// One client connection on Kestrel's socket transport (raw TCP or a Unix domain socket, no HTTP): reads commands from
/// the input pipe as they arrive, runs them in order and writes every reply of a pipelined batch before one flush.
/// Backpressure: while the client does not read its replies, the flush waits and no further command is read. Messages
/// published to the connection's subscriptions are written by the same loop, woken by a cancelled read. A
/// protocol error or a request over <c>Resp:MaxRequestBytes</c> is answered and the connection closed, as Redis does.
/// </summary>
internal sealed class RespConnectionHandler(RespCommands commands, RespStats stats, Func<Configuration.RespOptions> options, ILogger logger)
{
    public async Task RunAsync(ConnectionContext connection)
    {
        var (id, open) = stats.Open();
        RespSession? session = null;
        try
        {
            var input = connection.Transport.Input;
            var output = connection.Transport.Output;
            var limits = options();
            if (open > limits.MaxConnections)
            {
                stats.Rejected();
                RespLog.TooManyConnections(logger, id, open, limits.MaxConnections);
                RespWriter.Error(output, "ERR max number of clients reached");
                await output.FlushAsync(connection.ConnectionClosed);
                return;
            }

            session = new RespSession(id, authenticated: !commands.PasswordRequired) { Wake = input.CancelPendingRead, Abort = connection.Abort };
            await ServeAsync(session, input, output, limits.MaxRequestBytes, connection.ConnectionClosed);
        }
        catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or IOException)
        {
            // The client went away; nothing to answer.
        }
        finally
        {
            if (session is not null)
            {
                commands.EndSession(session);
            }

            stats.Close();
        }
    }

    private async Task ServeAsync(RespSession session, PipeReader input, PipeWriter output, long maxRequestBytes, CancellationToken closed)
    {
        var request = new RespRequest();
        while (!session.Closing)
        {
            var read = await input.ReadAsync(closed);
            var buffer = read.Buffer;
            var status = RespParseStatus.Incomplete;
            while (!session.Closing)
            {
                status = RespParser.TryParse(ref buffer, request, maxRequestBytes, out var error);
                if (status == RespParseStatus.Incomplete)
                {
                    break;
                }

                if (status == RespParseStatus.Error)
                {
                    RespLog.ProtocolError(logger, session.Id, error);
                    RespWriter.Error(output, "ERR " + error);
                    session.Closing = true;
                    break;
                }

                if (status == RespParseStatus.Command)
                {
                    var pending = commands.ExecuteAsync(request, session, output);
                    if (!pending.IsCompletedSuccessfully)
                    {
                        // A miss that waits on a peer or the loader: send what is ready before waiting.
                        await output.FlushAsync(closed);
                        await pending;
                    }
                    else
                    {
                        pending.GetAwaiter().GetResult();
                    }
                }
            }

            if (status == RespParseStatus.Incomplete && buffer.Length > maxRequestBytes)
            {
                RespWriter.Error(output, $"ERR Protocol error: the request is larger than Resp:MaxRequestBytes ({maxRequestBytes} bytes)");
                session.Closing = true;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            // Published messages go after the replies of the batch: a subscription's confirmation precedes its messages.
            session.Subscriber?.WriteTo(output);
            var flushed = await output.FlushAsync(closed);
            // A cancelled read is a subscriber's wake-up (RespSubscriber): its messages were just written.
            if (read.IsCompleted || read.IsCanceled && session.Subscriber is null || flushed.IsCompleted)
            {
                return;
            }
        }
    }
}
