using System.Diagnostics.CodeAnalysis;
using Grpc.AspNetCore.Server;

namespace K8sCache.Sidecar.Hosting;

/// <summary>
/// Hands Grpc.AspNetCore the gRPC service's one instance for every call, registered for the closed service type so
/// the container never builds the library's open-generic activator (a run-time generic instantiation under Native
/// AOT). The instance lives as long as the host; releasing a call's handle does nothing.
/// </summary>
internal sealed class SingletonServiceActivator<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] TService>(TService service) : IGrpcServiceActivator<TService> where TService : class
{
    public GrpcActivatorHandle<TService> Create(IServiceProvider serviceProvider) => new(service, created: false, state: null);

    public ValueTask ReleaseAsync(GrpcActivatorHandle<TService> service) => ValueTask.CompletedTask;
}
