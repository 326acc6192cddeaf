namespace K8sCache.Sidecar.Resp;

internal enum RespParseStatus
{
    /// <summary>The buffer ends inside a command: read more.</summary>
    Incomplete,

    /// <summary>A command was parsed into the request.</summary>
    Command,

    /// <summary>An empty line or an empty array: nothing to do, nothing to answer.</summary>
    Empty,

    /// <summary>Not RESP, or beyond a limit: answer the error and close the connection, as Redis does.</summary>
    Error,
}
