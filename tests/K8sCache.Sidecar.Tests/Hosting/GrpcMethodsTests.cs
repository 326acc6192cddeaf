using System.Reflection;
using Grpc.Core;
using K8sCache.Protocol.V1;
using K8sCache.Sidecar.Hosting;

namespace K8sCache.Sidecar.Tests.Hosting;

/// <summary>The sidecar binds its gRPC methods by name, without reading the protobuf descriptor while it starts
/// (<see cref="GrpcMethods"/>): each must be the proto's method, with its request and response types and its
/// streaming shape, and every method of the proto must be bound.</summary>
public sealed class GrpcMethodsTests
{
    public static TheoryData<string> Services() => [nameof(PeerServiceMethods), nameof(CacheServiceMethods)];

    [Theory]
    [MemberData(nameof(Services))]
    public void EveryBoundMethod_IsTheProtosMethod_AndEveryProtoMethodIsBound(string provider)
    {
        var (type, service) = provider == nameof(PeerServiceMethods)
            ? (typeof(PeerServiceMethods), Peer.Descriptor)
            : (typeof(CacheServiceMethods), Cache.Descriptor);
        var bound = type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => typeof(IMethod).IsAssignableFrom(f.FieldType)).ToList();

        foreach (var field in bound)
        {
            var method = (IMethod)field.GetValue(null)!;
            var proto = service.FindMethodByName(method.Name);
            Assert.True(proto is not null, $"{service.FullName} has no method {method.Name}");
            Assert.Equal(service.FullName, method.ServiceName);
            Assert.Equal(GrpcMethods.ShapeOf(proto), method.Type);
            Assert.Equal([proto.InputType.ClrType, proto.OutputType.ClrType], field.FieldType.GetGenericArguments());
        }

        Assert.Equal(service.Methods.Select(m => m.Name).Order(), bound.Select(f => ((IMethod)f.GetValue(null)!).Name).Order());
    }
}
