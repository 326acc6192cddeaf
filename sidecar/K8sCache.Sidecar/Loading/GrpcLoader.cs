using Grpc.Core;
using Grpc.Net.Client;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Transport;

namespace K8sCache.Sidecar.Loading;

/// <summary>Loads through an application's <c>k8scache.v1.Loader</c> gRPC service (proto/k8scache/v1/loader.proto),
/// with a Grpc.Net.Client channel and a deadline per load.</summary>
internal sealed class GrpcLoader : ILoader
{
    private readonly string _address;
    private readonly TimeSpan _timeout;
    private readonly int _maxValueBytes;
    private readonly GrpcChannel _channel;
    private readonly Loader.LoaderClient _client;

    public GrpcLoader(string address, TimeSpan timeout, int maxValueBytes)
    {
        (_address, _timeout, _maxValueBytes) = (address, timeout, maxValueBytes);
        _channel = GrpcChannels.Create(address, timeout, maxValueBytes + 1024);
        _client = new Loader.LoaderClient(_channel);
    }

    public async Task<LoadResult> LoadAsync(string group, string key, CancellationToken cancellationToken)
    {
        LoadResponse response;
        try
        {
            response = await _client.LoadAsync(new LoadRequest { Group = group, Key = key }, deadline: DateTime.UtcNow + _timeout, cancellationToken: cancellationToken);
        }
        catch (RpcException e)
        {
            throw new LoaderException($"gRPC loader at {_address} failed: {e.StatusCode}: {e.Status.Detail}", e) { Unreachable = e.StatusCode == StatusCode.Unavailable };
        }

        if (!response.Found)
        {
            return LoadResult.NotFound;
        }

        if (response.Value.Length > _maxValueBytes)
        {
            throw new LoaderException($"gRPC loader value is {response.Value.Length} bytes; the limit is MaxValueBytes={_maxValueBytes}");
        }

        return new LoadResult(true, response.Value.ToByteArray(),
            response.TtlMs > 0 ? TimeSpan.FromMilliseconds(response.TtlMs) : null, Cacheable: response.TtlMs >= 0);
    }

    public string Kind => "grpc";

    public void Dispose() => _channel.Dispose();
}
