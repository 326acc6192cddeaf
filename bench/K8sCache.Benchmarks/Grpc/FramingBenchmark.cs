using System.Buffers;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using K8sCache.Protocol.Grpc.Internal;
using K8sCache.Protocol.V1;

namespace K8sCache.Benchmarks.Grpc;

/// <summary>
/// gRPC message framing on its own: writing a peer response (100-byte value) with its 5-byte prefix into a buffer, and
/// cutting a frame off a request stream and parsing it. Writing must allocate nothing; parsing allocates the message.
/// </summary>
[MemoryDiagnoser]
public class FramingBenchmark
{
    private readonly byte[] _buffer = new byte[4096];
    private PeerGetResponse _response = null!;
    private ReadOnlySequence<byte> _request;

    [GlobalSetup]
    public void Setup()
    {
        _response = new PeerGetResponse { Found = true, Value = ByteString.CopyFrom(new byte[100]), TtlMs = 300_000 };
        var request = new PeerGetRequest { Group = "scores", Key = "key-000000001234", Header = new PeerHeader { RingFingerprint = 42, Sender = "10.0.0.1:7070" } };
        var frame = new byte[GrpcProtocol.HeaderSize + request.CalculateSize()];
        MessageFraming.Write(request, request.CalculateSize(), frame);
        _request = new ReadOnlySequence<byte>(frame);
    }

    [Benchmark(Baseline = true)]
    public int WriteResponseFrame()
    {
        var size = _response.CalculateSize();
        MessageFraming.Write(_response, size, _buffer);
        return size;
    }

    [Benchmark]
    public string ReadRequestFrame()
    {
        var buffer = _request;
        RequestMessageReader.TryReadFrame(ref buffer, 4 * 1024 * 1024, out var payload);
        return PeerGetRequest.Parser.ParseFrom(payload).Key;
    }
}
