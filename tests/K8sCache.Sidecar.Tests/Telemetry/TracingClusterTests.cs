using K8sCache.Sidecar.Tests.Fixtures;
using K8sCache.Testing.Otlp;

namespace K8sCache.Sidecar.Tests.Telemetry;

/// <summary>
/// Three real sidecars exporting to a real OTLP/HTTP receiver through the OpenTelemetry SDK, switched on by the
/// standard variables only. One Get sent with a <c>traceparent</c> must produce one trace that goes application →
/// sidecar → owner → loader with the right parents, and a Get that joins a load in flight must link to it.
/// </summary>
public sealed class TracingClusterTests : IAsyncLifetime
{
    private OtlpReceiver _receiver = null!;
    private SidecarCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _receiver = await OtlpReceiver.StartAsync();
        _cluster = await SidecarCluster.StartAsync(3, (index, node) =>
        {
            node.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.Address;
            node.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            node.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "100";
            node.Environment["OTEL_SERVICE_NAME"] = "k8scache-sidecar";
            node.Environment["OTEL_RESOURCE_ATTRIBUTES"] = $"k8s.pod.name=cache-{index},k8s.namespace.name=tests";
            // The read path alone: for 30 s after a ring change an owner's miss first asks the key's previous owner
            // (hand-over), one more peer call in the trace.
            node.Settings["HandOverTimeout"] = "0s";
        });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task AGetWithATraceParent_IsOneTrace_FromTheApplicationThroughTheOwnerToTheLoader()
    {
        var (asked, owner) = (_cluster.Nodes[0], _cluster.Nodes[1]);
        var key = _cluster.KeyOwnedBy(owner, "traced");
        var (traceId, callerSpan) = (Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()), "00f067aa0ba902b7");
        using var request = new HttpRequestMessage(HttpMethod.Get, _cluster.KeyUri(asked, "scores", key));
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");

        using var response = await _cluster.Http.SendAsync(request);

        Assert.Equal("value-of-" + key, await response.Content.ReadAsStringAsync());
        var spans = await _receiver.WaitForSpansAsync(all => all.Any(s => s.TraceId == traceId && s.Name == "k8scache.get" && s.Attributes.ContainsKey("k8scache.from_peer")
            && s.Attributes.ContainsKey("k8scache.outcome")) && all.Count(s => s.TraceId == traceId && s.Name == "k8scache.get") == 2
            && all.Count(s => s.TraceId == traceId && s.Kind == 3) == 5
            // Both server spans as well: each ends after its response is written, so it may be exported after the rest.
            && all.Count(s => s.TraceId == traceId && s.Kind == 2) == 2);
        var trace = spans.Where(s => s.TraceId == traceId).ToList();

        // The asking sidecar: its HTTP server span continues the application's span; its Get a child of that.
        var askedServer = Assert.Single(trace, s => s.ParentSpanId == callerSpan);
        Assert.Equal(2, askedServer.Kind);
        Assert.Equal("cache-0", askedServer.Resource["k8s.pod.name"]);
        var askedGet = Assert.Single(trace, s => s.Name == "k8scache.get" && !s.Attributes.ContainsKey("k8scache.from_peer"));
        Assert.Equal(askedServer.SpanId, askedGet.ParentSpanId);
        Assert.Equal("scores", askedGet.Attributes["k8scache.group"]);
        Assert.Equal("peer", askedGet.Attributes["k8scache.outcome"]);
        Assert.DoesNotContain(askedGet.Attributes.Values, v => v.Contains(key, StringComparison.Ordinal));

        // Its call to the owner: a client span under the Get.
        var peerCall = Assert.Single(trace, s => s.Name == "k8scache.peer/Get");
        Assert.Equal(askedGet.SpanId, peerCall.ParentSpanId);
        Assert.Equal(3, peerCall.Kind);
        Assert.Equal(owner.PeerAddress, peerCall.Attributes["k8scache.peer"]);

        // The gRPC client library's span of the call (Grpc.Net.Client), then its HTTP request.
        var grpcCall = Assert.Single(trace, s => s.ParentSpanId == peerCall.SpanId);
        Assert.Equal(("Grpc.Net.Client.GrpcOut", 3), (grpcCall.Name, grpcCall.Kind));
        var peerRequest = Assert.Single(trace, s => s.ParentSpanId == grpcCall.SpanId);
        Assert.Equal(3, peerRequest.Kind);

        // The owner: its server span continues the peer call (through the HTTP client's span); its Get loads; the load
        // is a client span, and so is its HTTP request.
        var ownerServer = Assert.Single(trace, s => s.ParentSpanId == peerRequest.SpanId);
        Assert.Equal(2, ownerServer.Kind);
        Assert.Equal("cache-1", ownerServer.Resource["k8s.pod.name"]);
        Assert.Equal("tests", ownerServer.Resource["k8s.namespace.name"]);
        Assert.Equal("k8scache-sidecar", ownerServer.Resource["service.name"]);
        var ownerGet = Assert.Single(trace, s => s.Name == "k8scache.get" && s.Attributes.ContainsKey("k8scache.from_peer"));
        Assert.Equal(ownerServer.SpanId, ownerGet.ParentSpanId);
        Assert.Equal("load", ownerGet.Attributes["k8scache.outcome"]);
        var load = Assert.Single(trace, s => s.Name == "k8scache.load");
        Assert.Equal(ownerGet.SpanId, load.ParentSpanId);
        Assert.Equal("http", load.Attributes["k8scache.loader"]);

        // The loader (the application's endpoint) received the trace too, from the load's HTTP request.
        var loaderRequest = Assert.Single(trace, s => s.ParentSpanId == load.SpanId);
        Assert.Equal($"00-{traceId}-{loaderRequest.SpanId}-01", _cluster.Loader.TraceParentFor(key));

        // The nodes ping each other every second, untraced: no gRPC client span starts a trace of its own.
        Assert.DoesNotContain(spans, s => s.Name == "Grpc.Net.Client.GrpcOut" && string.IsNullOrEmpty(s.ParentSpanId));
    }

    [Fact]
    public async Task AGetThatJoinsALoadInFlight_LinksToTheGetThatStartedIt()
    {
        var node = _cluster.Nodes[0];
        var key = _cluster.KeyOwnedBy(node, "versioned-joined");
        var (first, second) = (Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()), Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()));
        _cluster.Loader.Hold(_cluster.Loader.OriginVersion);

        var leading = GetTracedAsync(node, key, first);
        await _cluster.Loader.LoadHeld.WaitAsync(TestTimeouts.Default);
        var joining = GetTracedAsync(node, key, second);
        await WaitForDedupedAsync(node);
        _cluster.Loader.ReleaseHeld();
        await Task.WhenAll(leading, joining);

        var spans = await _receiver.WaitForSpansAsync(all => all.Count(s => s.Name == "k8scache.get" && (s.TraceId == first || s.TraceId == second)) == 2);
        var leader = Assert.Single(spans, s => s.Name == "k8scache.get" && s.TraceId == first);
        var joiner = Assert.Single(spans, s => s.Name == "k8scache.get" && s.TraceId == second);
        Assert.Equal([(first, leader.SpanId)], joiner.Links);
        Assert.Empty(leader.Links);
        Assert.Equal(1, _cluster.Loader.CallsFor(key));
    }

    private async Task<string> GetTracedAsync(SidecarNode node, string key, string traceId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _cluster.KeyUri(node, "scores", key));
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
        using var response = await _cluster.Http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Until the second Get has joined the held load (bounded; the links are what the test asserts).</summary>
    private async Task WaitForDedupedAsync(SidecarNode node)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while ((await _cluster.GroupStatsAsync(node, "scores")).GetProperty("loadsDeduped").GetInt64() == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the second Get never joined the load in flight");
            }

            await Task.Delay(50);
        }
    }
}
