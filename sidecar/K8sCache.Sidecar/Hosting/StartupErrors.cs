using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using K8sCache.Configuration;
using K8sCache.Sidecar.Configuration;

namespace K8sCache.Sidecar.Hosting;

/// <summary>
/// What stops the sidecar before it serves, as one line per problem that names the option, the value and the reason
/// — never a stack trace: a configuration the reader refused, a configuration file that cannot be read or parsed, a
/// listening address that cannot be bound (taken by another process, not an address of this machine, a port below
/// 1024 without the capability). Everything else is a bug and stays an unhandled exception.
/// </summary>
internal static class StartupErrors
{
    /// <summary>The exit code of every start-up error.</summary>
    public const int ExitCode = 1;

    /// <summary>The lines for <paramref name="e"/>, or null when it is not a start-up error.</summary>
    public static IReadOnlyList<string>? Describe(Exception e, string? configPath, SidecarOptions? options) => e switch
    {
        ConfigurationException invalid => invalid.Errors,
        FileNotFoundException when configPath is not null => [$"--config: '{configPath}': no such file."],
        InvalidDataException unparsable when configPath is not null =>
            [$"--config: '{configPath}': not a valid JSON configuration: {unparsable.InnerException?.Message ?? unparsable.Message}"],
        UnauthorizedAccessException or DirectoryNotFoundException when configPath is not null => [$"--config: '{configPath}': cannot be read: {e.Message}"],
        IOException { InnerException: SocketException or AddressInUseException } when options is not null => [BindFailure(e, e.InnerException!, options)],
        SocketException when options is not null => [BindFailure(e, e, options)],
        _ => null,
    };

    /// <summary>Which listening option could not be bound: Kestrel names the endpoint in its message.</summary>
    private static string BindFailure(Exception e, Exception inner, SidecarOptions options)
    {
        (string Key, string Value)[] listeners =
        [
            ("K8sCache:PeerAddress", options.PeerAddress), ("K8sCache:ApiAddress", options.ApiAddress), ("K8sCache:GrpcAddress", options.GrpcAddress),
            ("K8sCache:AdminAddress", options.AdminAddress), ("K8sCache:RespAddress", options.RespAddress),
        ];
        var reason = inner is SocketException socket ? socket.Message : "address already in use";
        foreach (var (key, value) in listeners)
        {
            if (value.Length > 0 && e.Message.Contains(EndpointParser.ToListenEndpoint(value).ToString(), StringComparison.Ordinal))
            {
                return $"{key}: '{value}' cannot be listened on: {reason}{(reason.Contains("in use", StringComparison.Ordinal) ? " (another process listens there)" : string.Empty)}.";
            }
        }

        return $"cannot listen: {e.Message}";
    }
}
