using OpenTelemetry.Trace;

namespace K8sCache.Sidecar.Hosting;

/// <summary>
/// The sampler for spans that begin a trace: Grpc.Net.Client starts a span for every call when its source is listened
/// to, and the peer pings (every second, to every peer, deliberately untraced) are the only gRPC calls made with no
/// span current. Those would each export a trace of their own; they are dropped. Every other root is sampled, and a
/// span with a parent follows its parent (<see cref="ParentBasedSampler"/>).
/// </summary>
internal sealed class UntracedCallsSampler : Sampler
{
    public const string GrpcClientSpan = "Grpc.Net.Client.GrpcOut";

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        new(samplingParameters.Name == GrpcClientSpan ? SamplingDecision.Drop : SamplingDecision.RecordAndSample);
}
