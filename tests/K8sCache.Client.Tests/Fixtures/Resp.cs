namespace K8sCache.Client.Tests.Fixtures;

/// <summary>Asks a sidecar's Redis endpoint what the client does not expose (a key's remaining lifetime), or changes it.</summary>
public static class Resp
{
    public static async Task<long> PttlAsync(string endpoint, string key) => (long)(await CallAsync(endpoint, "PTTL", key))!;

    public static async Task<long> PexpireAsync(string endpoint, string key, long ms) => (long)(await CallAsync(endpoint, "PEXPIRE", key, ms))!;

    private static async Task<object?> CallAsync(string endpoint, params object[] args)
    {
        var colon = endpoint.LastIndexOf(':');
        using var client = await RespTestClient.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        return await client.CallAsync(args);
    }
}
