using Grpc.Core;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;
using CacheSource = K8sCache.Sidecar.Node.CacheSource;
using WireSource = K8sCache.Protocol.V1.CacheSource;

namespace K8sCache.Sidecar.Api;

/// <summary>The <c>k8scache.v1.Cache</c> service applications call on <c>GrpcAddress</c> (Grpc.AspNetCore).</summary>
internal sealed class CacheGrpcService(CacheNode node, PeerSet peers) : Cache.CacheBase
{
    public override async Task<GetResponse> Get(GetRequest request, ServerCallContext context)
    {
        try
        {
            var group = Admit(request.Group, request.Key);
            var result = await group.GetAsync(request.Key, context.CancellationToken);
            return new GetResponse { Found = result.Found, Value = ByteStrings.Wrap(result.Value), TtlMs = result.RemainingMs, Source = ToWire(result.Source) };
        }
        catch (Exception e) when (StatusMapping.ToRpcException(e) is { } status)
        {
            throw status;
        }
    }

    public override async Task<SetResponse> Set(SetRequest request, ServerCallContext context)
    {
        try
        {
            var group = Admit(request.Group, request.Key);
            node.Validator.ValidateValue(request.Value.Length);
            node.Validator.ValidateTtlMs(request.TtlMs);
            TimeSpan? ttl = request.TtlMs > 0 ? TimeSpan.FromMilliseconds(node.Validator.ClampTtlMs(request.TtlMs)) : null;
            var result = await group.SetAsync(request.Key, ByteStrings.ToArray(request.Value), ttl, context.CancellationToken);
            return new SetResponse { UnreachablePeers = { result.UnreachablePeers } };
        }
        catch (Exception e) when (StatusMapping.ToRpcException(e) is { } status)
        {
            throw status;
        }
    }

    public override async Task<DeleteResponse> Delete(DeleteRequest request, ServerCallContext context)
    {
        try
        {
            var group = Admit(request.Group, request.Key);
            var result = await group.DeleteAsync(request.Key, context.CancellationToken);
            return new DeleteResponse { Deleted = result.Existed, UnreachablePeers = { result.UnreachablePeers } };
        }
        catch (Exception e) when (StatusMapping.ToRpcException(e) is { } status)
        {
            throw status;
        }
    }

    /// <summary>Starts every key's Get at once (the misses of each owner in one peer call, <see cref="Group.GetMany"/>)
    /// and streams each answer as it completes; a failing key is reported in its item's <c>error</c> and does not fail
    /// the others.</summary>
    public override async Task GetMany(GetManyRequest request, IServerStreamWriter<GetManyItem> stream, ServerCallContext context)
    {
        Group group;
        try
        {
            ThrowIfNotReady();
            group = node.GetGroup(request.Group);
            node.Validator.ValidateBatch(request.Keys.Count);
        }
        catch (InputException e)
        {
            throw StatusMapping.ToRpcException(e)!;
        }

        var items = new List<Task<GetManyItem>>(request.Keys.Count);
        var valid = new List<string>(request.Keys.Count);
        foreach (var key in request.Keys)
        {
            try
            {
                node.Validator.ValidateKey(key);
                valid.Add(key);
            }
            catch (InputException e)
            {
                items.Add(Task.FromResult(new GetManyItem { Key = key, Error = e.Message }));
            }
        }

        var gets = group.GetMany(valid, context.CancellationToken);
        items.AddRange(valid.Select((key, i) => ItemAsync(key, gets[i])));
        await foreach (var item in CompletionOrder.Of(items, context.CancellationToken))
        {
            await stream.WriteAsync(item, context.CancellationToken);
        }
    }

    private static async Task<GetManyItem> ItemAsync(string key, Task<GetResult> get)
    {
        try
        {
            var result = await get;
            return new GetManyItem { Key = key, Found = result.Found, Value = ByteStrings.Wrap(result.Value), TtlMs = result.RemainingMs, Source = ToWire(result.Source) };
        }
        catch (Exception e) when (e is InputException or Loading.LoaderException)
        {
            return new GetManyItem { Key = key, Error = e.Message };
        }
    }

    /// <summary>Readiness, then the node's admission step. A node without a ring does not know owners: serving would
    /// answer from a one-node view (and writes would land on the wrong owner), so it refuses as the HTTP API does.</summary>
    private Group Admit(string groupName, string key)
    {
        ThrowIfNotReady();
        return node.Admit(groupName, key);
    }

    private void ThrowIfNotReady()
    {
        if (!peers.IsReady)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "not ready: the ring is not built yet"));
        }
    }

    private static WireSource ToWire(CacheSource source) => source switch
    {
        CacheSource.Hit => WireSource.Hit,
        CacheSource.Hot => WireSource.Hot,
        CacheSource.Peer => WireSource.Peer,
        CacheSource.Load => WireSource.Load,
        _ => WireSource.Unspecified,
    };
}
