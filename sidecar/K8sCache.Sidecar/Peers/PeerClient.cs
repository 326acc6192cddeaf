using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Telemetry;
using K8sCache.Sidecar.Transport;
using ExpireCondition = K8sCache.Sidecar.Caching.ExpireCondition;
using SetCondition = K8sCache.Sidecar.Caching.SetCondition;

namespace K8sCache.Sidecar.Peers;

/// <summary>
/// Calls one peer's <c>k8scache.v1.Peer</c> service through a Grpc.Net.Client channel of its own
/// (<see cref="GrpcChannels"/>), with the shared token in <c>authorization</c>, a deadline per call,
/// and the sender's ring view in every request. This is the edge between the wire and the cache's core: answers become
/// <see cref="PeerValue"/> and <see cref="PeerWrite"/>, failures <see cref="PeerCallException"/>. Every call's outcome
/// feeds the peer's <see cref="PeerHealth"/>; transitions go to <c>onChange</c>.
/// </summary>
internal sealed class PeerClient : IPeer, IMessageRelay, IDisposable
{
    /// <summary>Pings run every second whatever the traffic: not traced.</summary>
    private const string PingSpan = "k8scache.peer/Ping";

    private readonly GrpcChannel _channel;
    private readonly Peer.PeerClient _client;
    private readonly Metadata _headers;
    private readonly TimeSpan _timeout;
    private readonly Func<PeerHeader> _header;
    private readonly Action<PeerClient, HealthChange> _onChange;

    public PeerClient(string address, PeerClientSettings settings, Func<PeerHeader> header, Action<PeerClient, HealthChange> onChange)
    {
        Address = address;
        _header = header;
        _onChange = onChange;
        _timeout = settings.Timeout;
        _headers = new Metadata { { "authorization", "Bearer " + settings.Token } };
        Health = new PeerHealth(settings.FailuresToMarkDown, (long)settings.HotCopyLease.TotalMilliseconds);
        Ledger = new InvalidationLedger((long)settings.HotCopyLease.TotalMilliseconds);
        _channel = GrpcChannels.Create(UriOf(address), settings.Timeout, settings.MaxValueBytes + 64 * 1024);
        _client = new Peer.PeerClient(_channel);
    }

    public string Address { get; }

    /// <summary>This node's view of the peer: alive or down, and the lease on its keys' hot copies.</summary>
    public PeerHealth Health { get; }

    /// <summary>The peer's view of this node as owner: pings answered, invalidations it missed.</summary>
    public InvalidationLedger Ledger { get; }

    public bool IsDown => Health.IsDown;

    public bool CopiesServable(long nowMs) => Health.CopiesServable(nowMs);

    public async Task<PeerValue> GetAsync(string group, string key, CancellationToken cancellationToken)
    {
        var response = await ObserveAsync("k8scache.peer/Get", () =>
            _client.GetAsync(new PeerGetRequest { Header = _header(), Group = group, Key = key }, _headers, Deadline(), cancellationToken).ResponseAsync);
        return new PeerValue(response.Found, ByteStrings.ToArray(response.Value), response.TtlMs, response.NoStore);
    }

    /// <summary>One <c>GetMany</c> call: the owner streams each key's answer as soon as it has it.</summary>
    public Task GetManyAsync(string group, IReadOnlyList<string> keys, Action<PeerBatchAnswer> onAnswer, CancellationToken cancellationToken) =>
        ObserveAsync("k8scache.peer/GetMany", async () =>
        {
            var request = new PeerGetManyRequest { Header = _header(), Group = group, Keys = { keys } };
            using var call = _client.GetMany(request, _headers, Deadline(), cancellationToken);
            while (await call.ResponseStream.MoveNext(cancellationToken))
            {
                var item = call.ResponseStream.Current;
                if (item.Index < keys.Count)
                {
                    onAnswer(AnswerOf(item));
                }
            }

            return keys.Count;
        });

    public async Task<PeerValue> GetCachedAsync(string group, string key, CancellationToken cancellationToken)
    {
        var response = await ObserveAsync("k8scache.peer/Get", () =>
            _client.GetAsync(new PeerGetRequest { Header = _header(), Group = group, Key = key, CachedOnly = true }, _headers, Deadline(), cancellationToken).ResponseAsync);
        return new PeerValue(response.Found, ByteStrings.ToArray(response.Value), response.TtlMs, response.NoStore);
    }

    /// <summary>Opens a hand-over to this peer (<see cref="PeerHandOverStream"/>), bounded by <paramref name="deadline"/>.</summary>
    public Task<PeerHandOverStream> OpenHandOverAsync(DateTime deadline, CancellationToken cancellationToken) =>
        PeerHandOverStream.OpenAsync(_client.HandOver(_headers, deadline, cancellationToken), _header, cancellationToken);

    public async Task<PeerWrite> SetAsync(string group, string key, byte[] value, long ttlMs, SetCondition condition, bool keepTtl, bool returnPrevious, CancellationToken cancellationToken)
    {
        var request = new PeerSetRequest
        {
            Header = _header(),
            Group = group,
            Key = key,
            Value = ByteStrings.Wrap(value),
            TtlMs = ttlMs,
            Condition = WireConditions.ToWire(condition),
            KeepTtl = keepTtl,
            ReturnPrevious = returnPrevious,
        };
        var response = await ObserveAsync("k8scache.peer/Set", () => _client.SetAsync(request, _headers, Deadline(), cancellationToken).ResponseAsync);
        return new PeerWrite(!response.NotApplied, response.UnreachablePeers, response.PreviousFound, ByteStrings.ToArray(response.Previous));
    }

    public async Task<PeerWrite> ExpireAsync(string group, string key, long ttlMs, ExpireCondition condition, CancellationToken cancellationToken)
    {
        var request = new PeerExpireRequest { Header = _header(), Group = group, Key = key, TtlMs = ttlMs, Condition = WireConditions.ToWire(condition) };
        var response = await ObserveAsync("k8scache.peer/Expire", () => _client.ExpireAsync(request, _headers, Deadline(), cancellationToken).ResponseAsync);
        return new PeerWrite(response.Applied, response.UnreachablePeers);
    }

    public async Task<PeerValue> PeekAsync(string group, string key, CancellationToken cancellationToken)
    {
        var response = await ObserveAsync("k8scache.peer/Peek", () =>
            _client.PeekAsync(new PeerPeekRequest { Header = _header(), Group = group, Key = key }, _headers, Deadline(), cancellationToken).ResponseAsync);
        return new PeerValue(response.Found, [], response.TtlMs);
    }

    public async Task<PeerWrite> DeleteAsync(string group, string key, CancellationToken cancellationToken)
    {
        var response = await ObserveAsync("k8scache.peer/Delete", () =>
            _client.DeleteAsync(new PeerDeleteRequest { Header = _header(), Group = group, Key = key }, _headers, Deadline(), cancellationToken).ResponseAsync);
        return new PeerWrite(response.Deleted, response.UnreachablePeers);
    }

    public async Task<PeerRun> RunAsync(string group, ReadOnlyMemory<byte> program, int protocol, CancellationToken cancellationToken)
    {
        var request = new PeerRunRequest { Header = _header(), Group = group, Protocol = protocol, Program = ByteStrings.Wrap(program) };
        var response = await ObserveAsync("k8scache.peer/Run", () => _client.RunAsync(request, _headers, Deadline(), cancellationToken).ResponseAsync);
        return new PeerRun(ByteStrings.ToArray(response.Reply), response.UnreachablePeers);
    }

    public Task InvalidateAsync(string group, string key, TimeSpan timeout, CancellationToken cancellationToken) =>
        ObserveAsync("k8scache.peer/Invalidate", () =>
            _client.InvalidateAsync(new InvalidateRequest { Header = _header(), Group = group, Key = key }, _headers, DateTime.UtcNow + timeout, cancellationToken).ResponseAsync);

    public long RecordMissedInvalidation() => Ledger.RecordMiss();

    public Task PublishAsync(IReadOnlyList<PeerMessage> messages, CancellationToken cancellationToken)
    {
        var request = new PublishRequest { Header = _header() };
        foreach (var message in messages)
        {
            request.Messages.Add(new PublishedMessage { Channel = ByteStrings.Wrap(message.Channel), Payload = ByteStrings.Wrap(message.Payload) });
        }

        return ObserveAsync("k8scache.peer/Publish", () => _client.PublishAsync(request, _headers, Deadline(), cancellationToken).ResponseAsync);
    }

    public Task<PingResponse> PingAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        ObserveAsync(PingSpan, () => _client.PingAsync(new PingRequest { Header = _header() }, _headers, DateTime.UtcNow + timeout, cancellationToken).ResponseAsync);

    public void Dispose() => _channel.Dispose();

    /// <summary>IPv6 members are written <c>[addr]:port</c>, which is already a valid URI authority.</summary>
    private static string UriOf(string address) => "http://" + address;

    private DateTime Deadline() => DateTime.UtcNow + _timeout;

    /// <summary>Timeouts and unreachable peers count as failures; any answer, errors included, shows the peer alive.
    /// Each call but the periodic ping is a client span, current while the request is sent, so the HTTP handler puts
    /// its <c>traceparent</c> on the request and the peer's spans join the trace.</summary>
    private async Task<T> ObserveAsync<T>(string spanName, Func<Task<T>> call)
    {
        using var span = ReferenceEquals(spanName, PingSpan) ? null
            : SidecarTracing.Source.StartActivity(spanName, ActivityKind.Client)?.SetTag(SidecarTracing.PeerTag, Address);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call();
            Report(Health.RecordSuccess());
            Record(spanName, started, "ok");
            return result;
        }
        catch (RpcException e)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.StatusCode.ToString());
            var failure = e.Trailers.GetValue(WrongTypeTrailer.Name) == WrongTypeTrailer.Value ? PeerFailure.WrongType : FailureOf(e.StatusCode);
            Report(failure is PeerFailure.Unreachable or PeerFailure.TimedOut ? Health.RecordFailure() : Health.RecordSuccess());
            Record(spanName, started, "error");
            throw new PeerCallException(failure, e.Status.Detail, e);
        }
    }

    /// <summary>What a status means to the read and write paths. UNAVAILABLE is also what an owner answers when its
    /// loader cannot be reached at all (a failing owner); FAILED_PRECONDITION is an owner whose loader failed.</summary>
    private static PeerFailure FailureOf(StatusCode status) => status switch
    {
        StatusCode.Unavailable => PeerFailure.Unreachable,
        StatusCode.DeadlineExceeded => PeerFailure.TimedOut,
        StatusCode.FailedPrecondition => PeerFailure.LoadFailed,
        StatusCode.InvalidArgument => PeerFailure.InvalidArgument,
        StatusCode.NotFound => PeerFailure.UnknownGroup,
        StatusCode.ResourceExhausted => PeerFailure.TooLarge,
        _ => PeerFailure.Failed,
    };

    /// <summary>A key's item as the single Get's answer or failure would read (see <see cref="FailureOf"/>).</summary>
    private static PeerBatchAnswer AnswerOf(PeerGetManyItem item)
    {
        var index = (int)item.Index;
        if (item.Failure == PeerKeyFailure.Unspecified)
        {
            return new PeerBatchAnswer(index, new PeerValue(item.Found, ByteStrings.ToArray(item.Value), item.TtlMs, item.NoStore), null);
        }

        var failure = item.Failure switch
        {
            PeerKeyFailure.LoadFailed => PeerFailure.LoadFailed,
            PeerKeyFailure.Unavailable => PeerFailure.Unreachable,
            PeerKeyFailure.InvalidKey => PeerFailure.InvalidArgument,
            PeerKeyFailure.WrongType => PeerFailure.WrongType,
            _ => PeerFailure.Failed,
        };
        return new PeerBatchAnswer(index, null, new PeerCallException(failure, item.Error));
    }

    /// <summary>The call's duration by method (the span name's last part) and outcome.</summary>
    private static void Record(string spanName, long started, string outcome) => SidecarInstruments.PeerCallDuration.Record(
        Stopwatch.GetElapsedTime(started).TotalSeconds,
        new KeyValuePair<string, object?>("method", spanName[(spanName.IndexOf('/', StringComparison.Ordinal) + 1)..]),
        new KeyValuePair<string, object?>("outcome", outcome));

    private void Report(HealthChange change)
    {
        if (change != HealthChange.None)
        {
            _onChange(this, change);
        }
    }
}
