using System.Text.Json;
using K8sCache.Protocol.Tests.Fixtures;

namespace K8sCache.Protocol.Tests.Interop;

/// <summary>
/// The checks on what a real gRPC client (Python grpcio, Node grpc-js) observed calling our server. Each names the part
/// of the wire format it catches when broken.
/// </summary>
internal static class ClientInteropAssertions
{
    public static async Task AssertAllAsync(JsonElement result, string expectedMetadata, GrpcTestServer server)
    {
        // Length prefix, protobuf payload, content-type and the OK status in trailers: a real client rejects the
        // response (INTERNAL / UNKNOWN) if any of them is off.
        var success = result.GetProperty("success");
        Assert.Equal(0, success.GetProperty("code").GetInt32());
        Assert.Equal("value:k1", success.GetProperty("value").GetString());
        Assert.Equal(42, success.GetProperty("ttl_ms").GetInt32());

        // Trailers-only responses and grpc-message percent-encoding: a wrong layout turns the code into UNKNOWN or
        // INTERNAL, and a wrong encoding garbles the non-ASCII text.
        var error = result.GetProperty("error");
        Assert.Equal(5, error.GetProperty("code").GetInt32());
        Assert.Equal(TestCacheService.ErrorDetail, error.GetProperty("details").GetString());

        // grpc-timeout in the client's own format (units the client picks): the handler's token must fire on the
        // server, not only the client's local timer.
        Assert.Equal(4, result.GetProperty("deadline").GetProperty("code").GetInt32());
        await server.Service.DeadlineObserved.WaitAsync(TestTimeouts.Default);

        // Routing by :path: an unknown method must be UNIMPLEMENTED, not an HTTP error (which maps to another code).
        Assert.Equal(12, result.GetProperty("unimplemented").GetProperty("code").GetInt32());

        // Metadata reaches handlers as request headers (the peer token will travel this way).
        Assert.Equal(expectedMetadata, result.GetProperty("metadata").GetString());

        // Several messages on one stream, then the status in trailers.
        var stream = result.GetProperty("stream");
        Assert.Equal(0, stream.GetProperty("code").GetInt32());
        Assert.Equal(["a", "b", "c"], stream.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));

        // An error after messages must travel in trailers, after the messages already sent.
        var streamError = result.GetProperty("streamError");
        Assert.Equal(5, streamError.GetProperty("code").GetInt32());
        Assert.Equal(["a"], streamError.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));

        // A 2 MB message spans many HTTP/2 DATA frames and flow-control windows.
        var big = result.GetProperty("big");
        Assert.Equal(0, big.GetProperty("code").GetInt32());
        Assert.Equal(2_000_000, big.GetProperty("length").GetInt32());
    }
}
