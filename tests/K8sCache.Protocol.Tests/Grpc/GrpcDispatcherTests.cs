using K8sCache.Protocol.Grpc.Internal;

namespace K8sCache.Protocol.Tests.Grpc;

public class GrpcDispatcherTests
{
    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/GRPC; charset=utf-8", true)]
    [InlineData("application/grpc+json", false)]
    [InlineData("application/grpcx", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void IsGrpcContentType_AcceptsProtoCodecOnly(string? contentType, bool expected) =>
        Assert.Equal(expected, GrpcDispatcher.IsGrpcContentType(contentType));
}
