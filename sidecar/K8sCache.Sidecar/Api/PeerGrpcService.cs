using Grpc.Core;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Loading;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;
using K8sCache.Sidecar.PubSub;

namespace K8sCache.Sidecar.Api;

/// <summary>
/// The <c>k8scache.v1.Peer</c> service (Grpc.AspNetCore): what other nodes call. <see cref="PeerRequestGate"/> runs
/// before it, so a call that reaches it carried the shared token and a message no larger than its method needs;
/// every request is validated against the same limits as the localhost API. A Get is answered from this node's
/// caches or loader, never forwarded (so requests travel at most one hop).
/// </summary>
internal sealed class PeerGrpcService(CacheNode node, PeerSet peers, MessageBus bus) : Peer.PeerBase
{
    public override async Task<PeerGetResponse> Get(PeerGetRequest request, ServerCallContext context)
    {
        var group = Admit(request.Header, request.Group, request.Key);
        try
        {
            var result = request.CachedOnly ? group.GetCachedForPeer(request.Key) : await group.GetForPeerAsync(request.Key, context.CancellationToken);
            return new PeerGetResponse { Found = result.Found, Value = ByteStrings.Wrap(result.Value), TtlMs = result.RemainingMs, NoStore = result.NoStore };
        }
        catch (InputException e)
        {
            throw StatusMapping.ToRpcException(e)!;
        }
        catch (LoaderException e) when (e.Unreachable)
        {
            // This owner cannot load at all (its application is gone): a failing owner, so the sender loads itself.
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
        catch (LoaderException e)
        {
            // FAILED_PRECONDITION tells the sender "the owner answered: the load failed", as opposed to a failing owner.
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
    }

    /// <summary>A batch of keys this node owns: each answered as <see cref="Get"/> answers it, streamed as soon as it is
    /// known; a key's failure is its own item.</summary>
    public override async Task GetMany(PeerGetManyRequest request, IServerStreamWriter<PeerGetManyItem> responses, ServerCallContext context)
    {
        peers.ObserveView(request.Header);
        Group group;
        try
        {
            group = node.GetGroup(request.Group);
            node.Validator.ValidateBatch(request.Keys.Count);
        }
        catch (InputException e)
        {
            throw StatusMapping.ToRpcException(e)!;
        }

        var answers = new Task<PeerGetManyItem>[request.Keys.Count];
        for (var i = 0; i < answers.Length; i++)
        {
            answers[i] = AnswerAsync(group, (uint)i, request.Keys[i], context.CancellationToken);
        }

        await foreach (var item in CompletionOrder.Of(answers, context.CancellationToken))
        {
            await responses.WriteAsync(item, context.CancellationToken);
        }
    }

    public override async Task<PeerSetResponse> Set(PeerSetRequest request, ServerCallContext context)
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

        var command = new SetCommand(WireConditions.FromWire(request.Condition), request.KeepTtl, request.ReturnPrevious);
        var result = await group.ApplySetAsync(request.Key, ByteStrings.ToArray(request.Value), node.Validator.ClampTtlMs(request.TtlMs), command);
        return new PeerSetResponse
        {
            UnreachablePeers = { result.UnreachablePeers },
            NotApplied = !result.Applied,
            PreviousFound = result.PreviousFound,
            Previous = ByteStrings.Wrap(result.Previous),
        };
    }

    public override async Task<PeerExpireResponse> Expire(PeerExpireRequest request, ServerCallContext context)
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

        var result = await group.ApplyExpireAsync(request.Key, node.Validator.ClampTtlMs(request.TtlMs), WireConditions.FromWire(request.Condition));
        return new PeerExpireResponse { Applied = result.Existed, UnreachablePeers = { result.UnreachablePeers } };
    }

    public override Task<PeerPeekResponse> Peek(PeerPeekRequest request, ServerCallContext context)
    {
        var result = Admit(request.Header, request.Group, request.Key).PeekLocal(request.Key);
        return Task.FromResult(new PeerPeekResponse { Found = result.Found, TtlMs = result.RemainingMs });
    }

    public override async Task<PeerDeleteResponse> Delete(PeerDeleteRequest request, ServerCallContext context)
    {
        var group = Admit(request.Header, request.Group, request.Key);
        var result = await group.ApplyDeleteAsync(request.Key);
        return new PeerDeleteResponse { Deleted = result.Existed, UnreachablePeers = { result.UnreachablePeers } };
    }

    /// <summary>An atomic program (docs/redis.md): this node runs it as the owner of its keys.</summary>
    public override async Task<PeerRunResponse> Run(PeerRunRequest request, ServerCallContext context)
    {
        peers.ObserveView(request.Header);
        try
        {
            var result = await node.GetGroup(request.Group).ApplyRunAsync(request.Program.Memory, request.Protocol);
            return new PeerRunResponse { Reply = ByteStrings.Wrap(result.Reply), UnreachablePeers = { result.UnreachablePeers } };
        }
        catch (InputException e)
        {
            throw StatusMapping.ToRpcException(e)!;
        }
    }

    public override Task<InvalidateResponse> Invalidate(InvalidateRequest request, ServerCallContext context)
    {
        Admit(request.Header, request.Group, request.Key).Invalidate(request.Key);
        return Task.FromResult(new InvalidateResponse());
    }

    /// <summary>Messages another member published: delivered to this node's subscribers, never relayed again.</summary>
    public override Task<PublishResponse> Publish(PublishRequest request, ServerCallContext context)
    {
        peers.ObserveView(request.Header);
        bus.DeliverRelayed(request.Messages.Select(m => new PeerMessage(ByteStrings.ToArray(m.Channel), ByteStrings.ToArray(m.Payload))));
        return Task.FromResult(new PublishResponse());
    }

    /// <summary>Entries another member hands over (docs/design.md §4, "Hand-over"): every group notes its changed keys
    /// before the first answer, so no handed entry overwrites a write made here after the sender read it.</summary>
    public override async Task HandOver(IAsyncStreamReader<HandOverBatch> requests, IServerStreamWriter<HandOverAck> responses, ServerCallContext context)
    {
        var groups = node.Groups.ToArray();
        foreach (var group in groups)
        {
            group.BeginReceiving();
        }

        try
        {
            if (!await requests.MoveNext(context.CancellationToken))
            {
                return;
            }

            peers.ObserveView(requests.Current.Header);
            var sender = requests.Current.Header?.Sender ?? string.Empty;
            await responses.WriteAsync(new HandOverAck());
            while (await requests.MoveNext(context.CancellationToken))
            {
                var batch = requests.Current;
                var entries = batch.Entries.Select(e => new PeerEntry(e.Key, ByteStrings.ToArray(e.Value), e.TtlMs, e.Hash ? Caching.ValueKind.Hash : Caching.ValueKind.String)).ToList();
                var result = node.TryGetGroup(batch.Group, out var target) ? target.Adopt(entries, sender) : new HandOverResult(0, entries.Count);
                await responses.WriteAsync(new HandOverAck { Applied = result.Applied, Rejected = result.Rejected });
            }
        }
        finally
        {
            foreach (var group in groups)
            {
                group.EndReceiving();
            }
        }
    }

    public override Task<PingResponse> Ping(PingRequest request, ServerCallContext context) =>
        Task.FromResult(peers.AnswerPing(request.Header));

    private async Task<PeerGetManyItem> AnswerAsync(Group group, uint index, string key, CancellationToken cancellationToken)
    {
        try
        {
            node.Validator.ValidateKey(key);
            var result = await group.GetForPeerAsync(key, cancellationToken);
            return new PeerGetManyItem { Index = index, Found = result.Found, Value = ByteStrings.Wrap(result.Value), TtlMs = result.RemainingMs, NoStore = result.NoStore };
        }
        catch (InputException e)
        {
            var failure = e.Kind == InputErrorKind.WrongType ? PeerKeyFailure.WrongType : PeerKeyFailure.InvalidKey;
            return new PeerGetManyItem { Index = index, Failure = failure, Error = e.Message };
        }
        catch (LoaderException e)
        {
            // As Get: an owner that cannot load at all is a failing owner (the sender loads), any other load failure an answer.
            return new PeerGetManyItem { Index = index, Failure = e.Unreachable ? PeerKeyFailure.Unavailable : PeerKeyFailure.LoadFailed, Error = e.Message };
        }
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
