namespace K8sCache.Protocol.Grpc;

/// <summary>Per-call options of a client call.</summary>
/// <param name="Timeout">How long the call may take. Sent to the server as <c>grpc-timeout</c> and enforced locally:
/// when it passes, the call fails with DEADLINE_EXCEEDED. Null waits as long as the server takes.</param>
/// <param name="Headers">Extra request headers (gRPC metadata) of this call.</param>
public readonly record struct CallOptions(
    TimeSpan? Timeout = null,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null);
