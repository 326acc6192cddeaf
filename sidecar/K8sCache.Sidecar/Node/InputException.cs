namespace K8sCache.Sidecar.Node;

/// <summary>A refused request: the kind and a message naming the limit or the reason. Nothing was changed.</summary>
internal sealed class InputException(InputErrorKind kind, string message) : Exception(message)
{
    public InputErrorKind Kind { get; } = kind;

    /// <summary>Redis's own text: clients match on its first word.</summary>
    public static InputException WrongType() =>
        new(InputErrorKind.WrongType, "WRONGTYPE Operation against a key holding the wrong kind of value");
}
