using System.Text;
using Google.Protobuf;
using Grpc.Core;
using K8sCache.Protocol.V1;

namespace K8sCache.Protocol.Tests.Fixtures;

/// <summary>
/// A <c>k8scache.v1.Cache</c> whose behaviour the key selects, so interop clients in any language can drive every
/// case: <c>error</c> fails with NOT_FOUND and a non-ASCII message, <c>slow</c> waits for its deadline, <c>boom</c>
/// throws an unexpected exception, <c>metadata</c> echoes the <c>x-k8scache-test</c> header, <c>big:N</c> answers N
/// bytes; any other key answers <c>value:KEY</c> with ttl_ms 42.
/// </summary>
public sealed class TestCacheService : Cache.CacheBase
{
    public const string ErrorDetail = "unknown group 'grüße' → 100%";

    private readonly TaskCompletionSource _deadlineObserved = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a <c>slow</c> call's handler saw its cancellation token fire (the deadline reached the
    /// server as grpc-timeout and was enforced there, not only by the client).</summary>
    public Task DeadlineObserved => _deadlineObserved.Task;

    public override async Task<GetResponse> Get(GetRequest request, ServerCallContext context) =>
        await AnswerAsync(request.Key, context);

    public override async Task GetMany(GetManyRequest request, IServerStreamWriter<GetManyItem> stream, ServerCallContext context)
    {
        foreach (var key in request.Keys)
        {
            var answer = await AnswerAsync(key, context);
            await stream.WriteAsync(
                new GetManyItem { Key = key, Found = answer.Found, Value = answer.Value, TtlMs = answer.TtlMs, Source = answer.Source },
                context.CancellationToken);
        }
    }

    private async Task<GetResponse> AnswerAsync(string key, ServerCallContext context)
    {
        switch (key)
        {
            case "error":
                throw new RpcException(new Status(StatusCode.NotFound, ErrorDetail));
            case "boom":
                throw new InvalidOperationException("a bug in the handler");
            case "slow":
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    _deadlineObserved.TrySetResult();
                    throw;
                }

                break;
            case "metadata":
                return Found(context.RequestHeaders.GetValue("x-k8scache-test") ?? string.Empty);
        }

        if (key.StartsWith("big:", StringComparison.Ordinal))
        {
            return new GetResponse { Found = true, Value = ByteString.CopyFrom(new byte[int.Parse(key[4..], System.Globalization.CultureInfo.InvariantCulture)]) };
        }

        return Found("value:" + key);
    }

    private static GetResponse Found(string value) => new()
    {
        Found = true,
        Value = ByteString.CopyFrom(Encoding.UTF8.GetBytes(value)),
        TtlMs = 42,
        Source = CacheSource.Hit,
    };
}
