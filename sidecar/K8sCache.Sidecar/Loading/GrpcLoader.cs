using K8sCache.Protocol.Grpc;
using K8sCache.Protocol.V1;

namespace K8sCache.Sidecar.Loading;

/// <summary>Loads through an application's <c>k8scache.v1.Loader</c> gRPC service (proto/k8scache/v1/loader.proto).</summary>
internal sealed class GrpcLoader(string address, TimeSpan timeout, int maxValueBytes) : ILoader
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        MaxReceiveMessageSize = maxValueBytes + 1024,
    });

    public async Task<LoadResult> LoadAsync(string group, string key, CancellationToken cancellationToken)
    {
        LoadResponse response;
        try
        {
            response = await _channel.UnaryAsync(LoaderService.Load, new LoadRequest { Group = group, Key = key },
                new CallOptions(Timeout: timeout), cancellationToken);
        }
        catch (RpcException e)
        {
            throw new LoaderException($"gRPC loader at {address} failed: {e.StatusCode}: {e.Detail}", e) { Unreachable = e.StatusCode == StatusCode.Unavailable };
        }

        if (!response.Found)
        {
            return LoadResult.NotFound;
        }

        if (response.Value.Length > maxValueBytes)
        {
            throw new LoaderException($"gRPC loader value is {response.Value.Length} bytes; the limit is MaxValueBytes={maxValueBytes}");
        }

        return new LoadResult(true, response.Value.ToByteArray(),
            response.TtlMs > 0 ? TimeSpan.FromMilliseconds(response.TtlMs) : null, Cacheable: response.TtlMs >= 0);
    }

    public string Kind => "grpc";

    public void Dispose() => _channel.Dispose();
}
