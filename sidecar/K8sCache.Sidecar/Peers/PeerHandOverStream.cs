using Grpc.Core;
using K8sCache.Protocol.V1;

namespace K8sCache.Sidecar.Peers;

/// <summary>
/// One <c>HandOver</c> call to a peer: opened, then the receiver's first answer awaited (it tracks changes from then
/// on, so no entry read afterwards can overwrite a newer write there), then one batch at a time, each answered before
/// the next is sent. Failures are <see cref="PeerCallException"/>.
/// </summary>
internal sealed class PeerHandOverStream : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<HandOverBatch, HandOverAck> _call;
    private readonly Func<PeerHeader> _header;

    private PeerHandOverStream(AsyncDuplexStreamingCall<HandOverBatch, HandOverAck> call, Func<PeerHeader> header)
    {
        _call = call;
        _header = header;
    }

    public static async Task<PeerHandOverStream> OpenAsync(AsyncDuplexStreamingCall<HandOverBatch, HandOverAck> call, Func<PeerHeader> header, CancellationToken cancellationToken)
    {
        var stream = new PeerHandOverStream(call, header);
        try
        {
            await stream.ExchangeAsync(new HandOverBatch { Header = header() }, cancellationToken);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    public async Task<HandOverResult> SendAsync(string group, IReadOnlyList<PeerEntry> entries, CancellationToken cancellationToken)
    {
        var batch = new HandOverBatch { Header = _header(), Group = group };
        foreach (var entry in entries)
        {
            batch.Entries.Add(new HandedEntry
            {
                Key = entry.Key,
                Value = ByteStrings.Wrap(entry.Value),
                TtlMs = entry.TtlMs,
                Hash = entry.Kind == Caching.ValueKind.Hash,
            });
        }

        var ack = await ExchangeAsync(batch, cancellationToken);
        return new HandOverResult(ack.Applied, ack.Rejected);
    }

    public async Task CompleteAsync()
    {
        try
        {
            await _call.RequestStream.CompleteAsync();
            while (await _call.ResponseStream.MoveNext(CancellationToken.None))
            {
                // Nothing more is expected; drain to the status.
            }
        }
        catch (RpcException e)
        {
            throw new PeerCallException(PeerFailure.Failed, e.Status.Detail, e);
        }
    }

    public ValueTask DisposeAsync()
    {
        _call.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<HandOverAck> ExchangeAsync(HandOverBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            await _call.RequestStream.WriteAsync(batch, cancellationToken);
            return await _call.ResponseStream.MoveNext(cancellationToken)
                ? _call.ResponseStream.Current
                : throw new PeerCallException(PeerFailure.Failed, "the receiver ended the hand-over");
        }
        catch (RpcException e)
        {
            throw new PeerCallException(e.StatusCode == StatusCode.Unavailable ? PeerFailure.Unreachable : PeerFailure.Failed, e.Status.Detail, e);
        }
    }
}
