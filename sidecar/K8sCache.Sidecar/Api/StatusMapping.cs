using Grpc.Core;
using K8sCache.Sidecar.Loading;
using K8sCache.Sidecar.Node;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Api;

/// <summary>How failures of the read and write paths surface at each entry point.</summary>
internal static class StatusMapping
{
    public static int ToHttpStatus(Exception e) => e switch
    {
        InputException { Kind: InputErrorKind.InvalidArgument } => StatusCodes.Status400BadRequest,
        InputException { Kind: InputErrorKind.UnknownGroup } => StatusCodes.Status404NotFound,
        InputException { Kind: InputErrorKind.TooLarge } => StatusCodes.Status413PayloadTooLarge,
        InputException { Kind: InputErrorKind.WrongType } => StatusCodes.Status409Conflict,
        LoaderException => StatusCodes.Status502BadGateway,
        OwnerUnavailableException { OutcomeUnknown: true } => StatusCodes.Status504GatewayTimeout,
        OwnerUnavailableException => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>The status a handler throws for <paramref name="e"/>, or null when it is not one of ours.</summary>
    public static RpcException? ToRpcException(Exception e) => e switch
    {
        InputException { Kind: InputErrorKind.InvalidArgument } => new RpcException(new Status(StatusCode.InvalidArgument, e.Message)),
        InputException { Kind: InputErrorKind.UnknownGroup } => new RpcException(new Status(StatusCode.NotFound, e.Message)),
        InputException { Kind: InputErrorKind.TooLarge } => new RpcException(new Status(StatusCode.ResourceExhausted, e.Message)),
        InputException { Kind: InputErrorKind.WrongType } => new RpcException(
            new Status(StatusCode.FailedPrecondition, e.Message), new Metadata { { WrongTypeTrailer.Name, WrongTypeTrailer.Value } }),
        LoaderException => new RpcException(new Status(StatusCode.Unavailable, "loader failed: " + e.Message)),
        OwnerUnavailableException { OutcomeUnknown: true } => new RpcException(new Status(StatusCode.DeadlineExceeded, e.Message)),
        OwnerUnavailableException => new RpcException(new Status(StatusCode.Unavailable, e.Message)),
        _ => null,
    };
}
