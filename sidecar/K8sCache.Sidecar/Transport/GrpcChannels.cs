using Grpc.Net.Client;

namespace K8sCache.Sidecar.Transport;

/// <summary>
/// How the sidecar opens a gRPC channel (to a peer, or to an application's gRPC loader): Grpc.Net.Client over an
/// <see cref="HttpClient"/> of the channel's own, which keeps the library's connection manager out. That manager
/// backs off after a failed connect (1 s, growing to 120 s) and fails every call meanwhile, so a peer that comes back —
/// a restarted pod, a member whose address was listed before it listened — would look down for as long. Here each call
/// connects when no connection is open: a dead peer fails at once, a live one answers. Several HTTP/2 connections are
/// opened when one's streams are all in use; deadlines are the calls' own.
/// </summary>
internal static class GrpcChannels
{
    public static GrpcChannel Create(string address, TimeSpan connectTimeout, int maxReceiveMessageSize) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpClient = new HttpClient(new SocketsHttpHandler
            {
                UseProxy = false,
                // gRPC never redirects: without this the handler chain carries a redirect step on every call.
                AllowAutoRedirect = false,
                ConnectTimeout = connectTimeout,
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            })
            {
                Timeout = Timeout.InfiniteTimeSpan,
            },
            DisposeHttpClient = true,
            MaxReceiveMessageSize = maxReceiveMessageSize,
            MaxSendMessageSize = null,
        });
}
