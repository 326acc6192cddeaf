namespace K8sCache.Sidecar.Resp;

/// <summary>A command's arguments are not what Redis accepts; the message is the whole error reply, starting with its
/// code (ERR, WRONGPASS, NOAUTH, NOPROTO).</summary>
internal sealed class RespSyntaxException(string message) : Exception(message)
{
    public static RespSyntaxException Syntax() => new("ERR syntax error");

    public static RespSyntaxException NotAnInteger() => new("ERR value is not an integer or out of range");
}
