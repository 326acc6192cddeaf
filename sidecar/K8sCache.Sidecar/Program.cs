using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Hosting;
using K8sCache.Sidecar.LocalMode;

// k8scache-sidecar [--config PATH] [--K8sCache:Key=value ...]   one cache node
// k8scache-sidecar local [--nodes N]                             a local cluster on loopback with a demo loader
if (args.Length > 0 && args[0] == "local")
{
    return await LocalCluster.RunAsync(args[1..]);
}

string? configPath = null;
SidecarOptions? options = null;
try
{
    var configuration = SidecarHost.ReadConfiguration(args, out configPath);
    options = SidecarOptionsReader.Read(configuration, Environment.GetEnvironmentVariable("POD_IP"), CgroupMemory.ReadLimit());
    var token = SidecarHost.ReadPeerToken(options.PeerTokenFile);
    await using var app = SidecarHost.Build(options, token, configuration, configPath);
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (StartupErrors.Describe(e, configPath, options) is { } problems)
{
    foreach (var problem in problems)
    {
        await Console.Error.WriteLineAsync("k8scache-sidecar: " + problem);
    }

    return StartupErrors.ExitCode;
}
