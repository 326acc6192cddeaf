using System.Net.Sockets;
using System.Text;

namespace K8sCache.Client.Tests.Fixtures;

/// <summary>Asks a sidecar's Redis endpoint what the client does not expose (a key's remaining lifetime), or changes it.</summary>
public static class Resp
{
    public static async Task<long> PttlAsync(string endpoint, string key) => long.Parse((await CallAsync(endpoint, "PTTL", key))[1..], System.Globalization.CultureInfo.InvariantCulture);

    public static Task<string> PexpireAsync(string endpoint, string key, long ms) => CallAsync(endpoint, "PEXPIRE", key, ms.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static async Task<string> CallAsync(string endpoint, params string[] args)
    {
        var (host, port) = (endpoint[..endpoint.LastIndexOf(':')], int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        using var client = new TcpClient();
        await client.ConnectAsync(host, port).WaitAsync(TestTimeouts.Default);
        var stream = client.GetStream();
        var request = new StringBuilder($"*{args.Length}\r\n");
        foreach (var arg in args)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        using var reader = new StreamReader(stream);
        return (await reader.ReadLineAsync().WaitAsync(TestTimeouts.Default))!;
    }
}
