namespace K8sCache.Sidecar.Peers;

/// <summary>How an owner says "the key holds the other kind of value" on the peer protocol: FAILED_PRECONDITION alone
/// means its loader failed, so the trailer tells the two apart.</summary>
internal static class WrongTypeTrailer
{
    public const string Name = "k8scache-failure";

    public const string Value = "wrong-type";
}
