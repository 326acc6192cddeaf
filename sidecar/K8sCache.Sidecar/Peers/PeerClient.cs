using System.Diagnostics;
using K8sCache.Protocol.Grpc;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Telemetry;

namespace K8sCache.Sidecar.Peers;

/// <summary>
/// Calls one peer's <c>k8scache.v1.Peer</c> service over a pooled gRPC channel, with the shared token in
/// <c>authorization</c>, a deadline per call, and the sender's ring view in every request. Every call's outcome feeds
/// the peer's <see cref="PeerHealth"/>; transitions go to <c>onChange</c>.
/// </summary>
internal sealed class PeerClient : IPeer, IDisposable
{
    /// <summary>Pings run every second whatever the traffic: not traced.</summary>
    private const string PingSpan = "k8scache.peer/Ping";

    private readonly GrpcChannel _channel;
    private readonly Func<PeerHeader> _header;
    private readonly Action<PeerClient, HealthChange> _onChange;
    private readonly CallOptions _callOptions;

    public PeerClient(string address, PeerClientSettings settings, Func<PeerHeader> header, Action<PeerClient, HealthChange> onChange)
    {
        Address = address;
        _header = header;
        _onChange = onChange;
        _callOptions = new CallOptions(Timeout: settings.Timeout);
        Health = new PeerHealth(settings.FailuresToMarkDown, (long)settings.HotCopyLease.TotalMilliseconds);
        Ledger = new InvalidationLedger((long)settings.HotCopyLease.TotalMilliseconds);
        _channel = GrpcChannel.ForAddress(UriOf(address), new GrpcChannelOptions
        {
            DefaultHeaders = [new("authorization", "Bearer " + settings.Token)],
            MaxReceiveMessageSize = settings.MaxValueBytes + 64 * 1024,
            ConnectTimeout = settings.Timeout,
        });
    }

    public string Address { get; }

    /// <summary>This node's view of the peer: alive or down, and the lease on its keys' hot copies.</summary>
    public PeerHealth Health { get; }

    /// <summary>The peer's view of this node as owner: pings answered, invalidations it missed.</summary>
    public InvalidationLedger Ledger { get; }

    public bool IsDown => Health.IsDown;

    public bool CopiesServable(long nowMs) => Health.CopiesServable(nowMs);

    public Task<PeerGetResponse> GetAsync(string group, string key, CancellationToken cancellationToken) =>
        ObserveAsync("k8scache.peer/Get", () => _channel.UnaryAsync(PeerService.Get, new PeerGetRequest { Header = _header(), Group = group, Key = key }, _callOptions, cancellationToken));

    public Task<PeerSetResponse> SetAsync(string group, string key, byte[] value, long ttlMs, SetCondition condition, bool keepTtl, bool returnPrevious, CancellationToken cancellationToken) =>
        ObserveAsync("k8scache.peer/Set", () => _channel.UnaryAsync(PeerService.Set, new PeerSetRequest
        {
            Header = _header(),
            Group = group,
            Key = key,
            Value = ByteStrings.Wrap(value),
            TtlMs = ttlMs,
            Condition = condition,
            KeepTtl = keepTtl,
            ReturnPrevious = returnPrevious,
        }, _callOptions, cancellationToken));

    public Task<PeerExpireResponse> ExpireAsync(string group, string key, long ttlMs, ExpireCondition condition, CancellationToken cancellationToken) =>
        ObserveAsync("k8scache.peer/Expire", () => _channel.UnaryAsync(PeerService.Expire, new PeerExpireRequest { Header = _header(), Group = group, Key = key, TtlMs = ttlMs, Condition = condition },
            _callOptions, cancellationToken));

    public Task<PeerPeekResponse> PeekAsync(string group, string key, CancellationToken cancellationToken) =>
        ObserveAsync("k8scache.peer/Peek", () => _channel.UnaryAsync(PeerService.Peek, new PeerPeekRequest { Header = _header(), Group = group, Key = key }, _callOptions, cancellationToken));

    public Task<PeerDeleteResponse> DeleteAsync(string group, string key, CancellationToken cancellationToken) =>
        ObserveAsync("k8scache.peer/Delete", () => _channel.UnaryAsync(PeerService.Delete, new PeerDeleteRequest { Header = _header(), Group = group, Key = key }, _callOptions, cancellationToken));

    public Task InvalidateAsync(string group, string key, TimeSpan timeout, CancellationToken cancellationToken) =>
        ObserveAsync("k8scache.peer/Invalidate", () => _channel.UnaryAsync(PeerService.Invalidate, new InvalidateRequest { Header = _header(), Group = group, Key = key },
            new CallOptions(Timeout: timeout), cancellationToken));

    public long RecordMissedInvalidation() => Ledger.RecordMiss();

    public Task<PingResponse> PingAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        ObserveAsync(PingSpan, () => _channel.UnaryAsync(PeerService.Ping, new PingRequest { Header = _header() }, new CallOptions(Timeout: timeout), cancellationToken));

    public void Dispose() => _channel.Dispose();

    /// <summary>IPv6 members are written <c>[addr]:port</c>, which is already a valid URI authority.</summary>
    private static string UriOf(string address) => "http://" + address;

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
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.StatusCode.ToString());
            Report(Health.RecordFailure());
            Record(spanName, started, "error");
            throw;
        }
        catch (RpcException e)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.StatusCode.ToString());
            Report(Health.RecordSuccess());
            Record(spanName, started, "error");
            throw;
        }
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
