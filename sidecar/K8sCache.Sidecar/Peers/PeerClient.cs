using K8sCache.Protocol.Grpc;
using K8sCache.Protocol.V1;

namespace K8sCache.Sidecar.Peers;

/// <summary>
/// Calls one peer's <c>k8scache.v1.Peer</c> service over a pooled gRPC channel, with the shared token in
/// <c>authorization</c>, a deadline per call, and the sender's ring version in every request.
/// </summary>
internal sealed class PeerClient : IPeer, IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Func<PeerHeader> _header;
    private readonly CallOptions _callOptions;

    public PeerClient(string address, PeerClientSettings settings, Func<PeerHeader> header)
    {
        Address = address;
        _header = header;
        _callOptions = new CallOptions(Timeout: settings.Timeout);
        _channel = GrpcChannel.ForAddress("http://" + address, new GrpcChannelOptions
        {
            DefaultHeaders = [new("authorization", "Bearer " + settings.Token)],
            MaxReceiveMessageSize = settings.MaxValueBytes + 64 * 1024,
            ConnectTimeout = settings.Timeout,
        });
    }

    public string Address { get; }

    public Task<PeerGetResponse> GetAsync(string group, string key, CancellationToken cancellationToken) =>
        _channel.UnaryAsync(PeerService.Get, new PeerGetRequest { Header = _header(), Group = group, Key = key }, _callOptions, cancellationToken);

    public Task<PeerSetResponse> SetAsync(string group, string key, byte[] value, long ttlMs, CancellationToken cancellationToken) =>
        _channel.UnaryAsync(PeerService.Set, new PeerSetRequest
        {
            Header = _header(),
            Group = group,
            Key = key,
            Value = ByteStrings.Wrap(value),
            TtlMs = ttlMs,
        }, _callOptions, cancellationToken);

    public Task<PeerDeleteResponse> DeleteAsync(string group, string key, CancellationToken cancellationToken) =>
        _channel.UnaryAsync(PeerService.Delete, new PeerDeleteRequest { Header = _header(), Group = group, Key = key }, _callOptions, cancellationToken);

    public Task InvalidateAsync(string group, string key, CancellationToken cancellationToken) =>
        _channel.UnaryAsync(PeerService.Invalidate, new InvalidateRequest { Header = _header(), Group = group, Key = key }, _callOptions, cancellationToken);

    public void Dispose() => _channel.Dispose();
}
