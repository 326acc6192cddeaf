using K8sCache.Protocol.Grpc;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Loading;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Api;

/// <summary>
/// The <c>k8scache.v1.Peer</c> service: what other nodes call. Every call must carry the shared token, checked before
/// the request body is read; each method accepts messages only as large as it needs (a key, or a key and a value);
/// every request is validated against the same limits as the localhost API. A Get is answered from this node's
/// caches or loader, never forwarded (so requests travel at most one hop).
/// </summary>
internal sealed class PeerGrpcService(CacheNode node, PeerSet peers, PeerTokens tokens)
{
    /// <summary>Room for the envelope around a key or a value: header, group name, field tags and lengths.</summary>
    private const int EnvelopeBytes = 4 * 1024;

    public GrpcServiceDefinition Definition => new GrpcServiceDefinition(PeerService.Name)
        .Authorize(CheckToken)
        .AddUnary(PeerService.Get, GetAsync, KeyMessageBytes)
        .AddUnary(PeerService.Set, SetAsync, () => node.Validator.Limits.MaxValueBytes + KeyMessageBytes())
        .AddUnary(PeerService.Delete, DeleteAsync, KeyMessageBytes)
        .AddUnary(PeerService.Expire, ExpireAsync, KeyMessageBytes)
        .AddUnary(PeerService.Peek, PeekAsync, KeyMessageBytes)
        .AddUnary(PeerService.Invalidate, InvalidateAsync, KeyMessageBytes)
        .AddUnary(PeerService.Ping, PingAsync, static () => EnvelopeBytes);

    private async ValueTask<PeerGetResponse> GetAsync(PeerGetRequest request, ServerCallContext context)
    {
        var group = Admit(request.Header, request.Group, request.Key);
        try
        {
            var result = await group.GetForPeerAsync(request.Key, context.CancellationToken);
            return new PeerGetResponse { Found = result.Found, Value = ByteStrings.Wrap(result.Value), TtlMs = result.RemainingMs, NoStore = result.NoStore };
        }
        catch (LoaderException e) when (e.Unreachable)
        {
            // This owner cannot load at all (its application is gone): a failing owner, so the sender loads itself.
            throw new RpcException(StatusCode.Unavailable, e.Message);
        }
        catch (LoaderException e)
        {
            // FAILED_PRECONDITION tells the sender "the owner answered: the load failed", as opposed to a failing owner.
            throw new RpcException(StatusCode.FailedPrecondition, e.Message);
        }
    }

    private async ValueTask<PeerSetResponse> SetAsync(PeerSetRequest request, ServerCallContext context)
    {
        var group = Admit(request.Header, request.Group, request.Key);
        try
        {
            node.Validator.ValidateValue(request.Value.Length);
            node.Validator.ValidateTtlMs(request.TtlMs);
        }
        catch (InputException e)
        {
            throw StatusMapping.ToRpcException(e)!;
        }

        var command = new SetCommand(request.Condition, request.KeepTtl, request.ReturnPrevious);
        var result = await group.ApplySetAsync(request.Key, ByteStrings.ToArray(request.Value), node.Validator.ClampTtlMs(request.TtlMs), command);
        return new PeerSetResponse
        {
            UnreachablePeers = { result.UnreachablePeers },
            NotApplied = !result.Applied,
            PreviousFound = result.PreviousFound,
            Previous = ByteStrings.Wrap(result.Previous),
        };
    }

    private async ValueTask<PeerExpireResponse> ExpireAsync(PeerExpireRequest request, ServerCallContext context)
    {
        var group = Admit(request.Header, request.Group, request.Key);
        try
        {
            node.Validator.ValidateTtlMs(request.TtlMs);
        }
        catch (InputException e)
        {
            throw StatusMapping.ToRpcException(e)!;
        }

        var result = await group.ApplyExpireAsync(request.Key, node.Validator.ClampTtlMs(request.TtlMs), request.Condition);
        return new PeerExpireResponse { Applied = result.Existed, UnreachablePeers = { result.UnreachablePeers } };
    }

    private ValueTask<PeerPeekResponse> PeekAsync(PeerPeekRequest request, ServerCallContext context)
    {
        var result = Admit(request.Header, request.Group, request.Key).PeekLocal(request.Key);
        return ValueTask.FromResult(new PeerPeekResponse { Found = result.Found, TtlMs = result.RemainingMs });
    }

    private async ValueTask<PeerDeleteResponse> DeleteAsync(PeerDeleteRequest request, ServerCallContext context)
    {
        var group = Admit(request.Header, request.Group, request.Key);
        var result = await group.ApplyDeleteAsync(request.Key);
        return new PeerDeleteResponse { Deleted = result.Existed, UnreachablePeers = { result.UnreachablePeers } };
    }

    private ValueTask<InvalidateResponse> InvalidateAsync(InvalidateRequest request, ServerCallContext context)
    {
        Admit(request.Header, request.Group, request.Key).Invalidate(request.Key);
        return ValueTask.FromResult(new InvalidateResponse());
    }

    private ValueTask<PingResponse> PingAsync(PingRequest request, ServerCallContext context) =>
        ValueTask.FromResult(peers.AnswerPing(request.Header));

    private int KeyMessageBytes() => node.Validator.Limits.MaxKeyBytes + EnvelopeBytes;

    private RpcException? CheckToken(ServerCallContext context)
    {
        var authorization = context.RequestHeaders.Authorization.ToString();
        return tokens.Accepts(authorization)
            ? null
            : new RpcException(StatusCode.Unauthenticated, authorization.Length == 0 ? "missing peer token (authorization: Bearer TOKEN)" : "wrong peer token");
    }

    private Group Admit(PeerHeader? header, string groupName, string key)
    {
        peers.ObserveView(header);
        try
        {
            return node.Admit(groupName, key);
        }
        catch (InputException e)
        {
            throw StatusMapping.ToRpcException(e)!;
        }
    }
}
