using System.Diagnostics.Tracing;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using K8sCache.Sidecar.Configuration;
using K8sCache.Sidecar.Hosting;
using K8sCache.Sidecar.Tests.Fixtures;
using Microsoft.Extensions.Configuration;

namespace K8sCache.Sidecar.Tests.Hosting;

/// <summary>
/// The Native AOT build roots the generic types the host's container makes from open generics at start
/// (sidecar/K8sCache.Sidecar/Hosting/StartupTypes.rd.xml); one it misses is built by the runtime's type loader instead,
/// which made a third of the start. This starts the host as the sidecar does, records every call site its container
/// builds (the container's own event source), and names each generic type not in the file.
/// </summary>
public sealed partial class HostStartupTypesTests
{
    [Fact]
    public async Task EveryGenericTypeTheContainerBuildsAtStart_IsCompiledAheadOfTime()
    {
        var ip = SidecarCluster.RandomNetwork() + ".1";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["K8sCache:Self"] = $"{ip}:7070",
            ["K8sCache:PeerAddress"] = $"{ip}:7070",
            ["K8sCache:ApiAddress"] = $"{ip}:7071",
            ["K8sCache:GrpcAddress"] = $"{ip}:7072",
            ["K8sCache:AdminAddress"] = $"{ip}:9090",
            ["K8sCache:RespAddress"] = $"{ip}:6379",
            ["K8sCache:Discovery"] = $"static:///{ip}:7070",
            // Read by the program before the host is built; the token is handed to Build below.
            ["K8sCache:PeerTokenFile"] = "token",
            ["K8sCache:Groups:0:Name"] = "kv",
        }).Build();
        var options = SidecarOptionsReader.Read(configuration, null);
        using var listener = new CallSiteListener();

        await using (var app = SidecarHost.Build(options, "startup-types-token-0123456789", configuration, null))
        {
            listener.Provider = RuntimeHelpers.GetHashCode(app.Services);
            await app.StartAsync();
            await app.StopAsync();
        }

        var rooted = RootedTypes();
        var built = listener.GenericTypes();
        Assert.NotEmpty(built);
        var missing = built.Where(t => !rooted.Contains(t)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "built at start, not in Hosting/StartupTypes.rd.xml:\n" + string.Join('\n', missing));
    }

    /// <summary>The file's types in the container's notation: rd.xml's <c>T`1[[Arg, Assembly]]</c> is <c>T`1[Arg]</c>.</summary>
    private static HashSet<string> RootedTypes()
    {
        var file = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "sidecar", "K8sCache.Sidecar", "Hosting", "StartupTypes.rd.xml"));
        return TypeName().Matches(file).Select(m =>
        {
            var name = m.Groups[1].Value;
            for (var previous = string.Empty; previous != name;)
            {
                previous = name;
                name = AssemblySuffix().Replace(name, string.Empty);
            }

            return name.Replace("[[", "[", StringComparison.Ordinal).Replace(",[", ",", StringComparison.Ordinal);
        }).ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex("<Type Name=\"([^\"]+)\"")]
    private static partial Regex TypeName();

    [GeneratedRegex(@", [^\[\],]+\]")]
    private static partial Regex AssemblySuffix();

    /// <summary>The container's call sites, as its event source reports them (a large one in chunks), for one provider.</summary>
    private sealed class CallSiteListener : EventListener
    {
        private readonly Lock _lock = new();
        private readonly List<(int Provider, string Json)> _sites = [];
        private readonly Dictionary<(int Provider, int Thread), string> _pending = [];

        public int Provider { get; set; }

        /// <summary>Generic implementation types, and the arrays of generic types behind IEnumerable services.</summary>
        public HashSet<string> GenericTypes()
        {
            var types = new HashSet<string>(StringComparer.Ordinal);
            lock (_lock)
            {
                foreach (var (_, json) in _sites.Where(s => s.Provider == Provider))
                {
                    Collect(JsonDocument.Parse(json).RootElement, types);
                }
            }

            return types;
        }

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Extensions-DependencyInjection")
            {
                EnableEvents(source, EventLevel.Verbose, EventKeywords.All);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName != "CallSiteBuilt" || e.Payload is not [_, string chunk, int index, int count, int provider, ..])
            {
                return;
            }

            // A call site's chunks come one after another from the thread that built it; other providers' may interleave.
            var key = (provider, e.OSThreadId.GetHashCode());
            lock (_lock)
            {
                var json = index == 0 ? chunk : _pending.GetValueOrDefault(key, string.Empty) + chunk;
                if (index == count - 1)
                {
                    _pending.Remove(key);
                    _sites.Add((provider, json));
                }
                else
                {
                    _pending[key] = json;
                }
            }
        }

        private static void Collect(JsonElement site, HashSet<string> types)
        {
            if (site.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in site.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { } name && name.Contains('`', StringComparison.Ordinal))
                    {
                        if (property.Name == "implementationType")
                        {
                            types.Add(name);
                        }
                        else if (property.Name == "itemType")
                        {
                            types.Add(name + "[]");
                        }
                    }

                    Collect(property.Value, types);
                }
            }
            else if (site.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in site.EnumerateArray())
                {
                    Collect(item, types);
                }
            }
        }
    }
}
