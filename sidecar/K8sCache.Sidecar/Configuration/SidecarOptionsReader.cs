using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using K8sCache.Configuration;

namespace K8sCache.Sidecar.Configuration;

/// <summary>
/// Reads and validates section <c>K8sCache</c>. Written out rather than bound by reflection: it stays trim- and
/// AOT-safe, and every error names the key and the reason (all errors at once, not the first).
/// </summary>
internal static partial class SidecarOptionsReader
{
    public const string SectionName = "K8sCache";

    /// <summary>Room in a RESP request around its largest value: the command, the key and the framing.</summary>
    private const int RespRequestOverhead = 64 * 1024;

    /// <summary>Reads the section. <paramref name="cgroupMemoryLimit"/> is the process's cgroup limit, used when
    /// <c>MemoryLimit</c> (the pod's <c>limits.memory</c> through the downward API) is not set.</summary>
    public static SidecarOptions Read(IConfiguration configuration, string? podIp, long? cgroupMemoryLimit = null)
    {
        var section = configuration.GetSection(SectionName);
        var errors = new List<string>();

        var ipv6 = IPAddress.TryParse(podIp, out var podAddress) && podAddress.AddressFamily == AddressFamily.InterNetworkV6;
        var peerAddress = Address(section, "PeerAddress", ipv6 ? Defaults.PeerAddressIPv6 : Defaults.PeerAddress, errors);
        var self = section["Self"];
        if (string.IsNullOrWhiteSpace(self))
        {
            self = string.IsNullOrWhiteSpace(podIp) ? null : EndpointParser.Format(podIp, EndpointParser.PortOf(peerAddress));
            if (self is null)
            {
                errors.Add("K8sCache:Self: not set, and POD_IP is not set either; one of them names this node.");
            }
        }
        else if (!EndpointParser.TryParseHostPort(self, out _, out _))
        {
            errors.Add($"K8sCache:Self: '{self}' is not host:port.");
        }

        var discovery = section["Discovery"];
        if (string.IsNullOrWhiteSpace(discovery))
        {
            discovery = "static:///" + self;
        }
        else if (!DiscoveryUri.TryParse(discovery, out _, out var why))
        {
            errors.Add($"K8sCache:Discovery: '{discovery}' {why}");
        }

        var tokenFile = section["PeerTokenFile"];
        if (string.IsNullOrWhiteSpace(tokenFile))
        {
            errors.Add("K8sCache:PeerTokenFile: required; peers authenticate each other with the token in this file.");
        }

        var options = new SidecarOptions
        {
            Self = self ?? string.Empty,
            Discovery = discovery,
            DiscoveryInterval = DurationOf(section, "DiscoveryInterval", Defaults.DiscoveryInterval, errors, positive: true),
            PeerAddress = peerAddress,
            ApiAddress = Address(section, "ApiAddress", Defaults.ApiAddress, errors),
            GrpcAddress = Address(section, "GrpcAddress", Defaults.GrpcAddress, errors),
            AdminAddress = Address(section, "AdminAddress", ipv6 ? Defaults.AdminAddressIPv6 : Defaults.AdminAddress, errors),
            RespAddress = section["RespAddress"] is "" ? string.Empty : Address(section, "RespAddress", Defaults.RespAddress, errors),
            PeerTokenFile = tokenFile ?? string.Empty,
            HotCacheTtl = DurationOf(section, "HotCacheTtl", Defaults.HotCacheTtl, errors, positive: true),
            ShutdownDelay = DurationOf(section, "ShutdownDelay", Defaults.ShutdownDelay, errors, positive: false, max: TimeSpan.FromMinutes(5)),
            ShutdownTimeout = DurationOf(section, "ShutdownTimeout", Defaults.ShutdownTimeout, errors, positive: false),
            HandOverTimeout = DurationOf(section, "HandOverTimeout", Defaults.HandOverTimeout, errors, positive: false, max: TimeSpan.FromMinutes(10)),
            Limits = ReadLimits(section.GetSection("Limits"), errors),
            Groups = ReadGroups(section.GetSection("Groups"), errors),
        };
        var memoryLimit = section["MemoryLimit"] is null ? cgroupMemoryLimit : SizeOf(section, "MemoryLimit", 0, 1, long.MaxValue, errors);
        options = options with { MemoryLimit = memoryLimit, Groups = Budgets(section.GetSection("Groups"), options.Groups, memoryLimit, errors) };
        options = options with { Resp = ReadResp(section.GetSection("Resp"), options, errors) };

        options = options with { PeerTimeout = ReadPeerTimeout(section, options.Groups, errors) };

        // Outside the memory split: its few megabytes come out of the fixed overhead (docs/configuration.md).
        options = options with { Groups = [.. options.Groups, TagsGroup] };

        // Requests are routed by the port they arrive on, so the endpoints need different ports.
        var addresses = new[] { options.PeerAddress, options.ApiAddress, options.GrpcAddress, options.AdminAddress, options.RespAddress };
        var ports = addresses.Where(a => a.Length > 0).Select(EndpointParser.PortOf).ToArray();
        if (ports.Distinct().Count() != ports.Length || ports.Contains(0))
        {
            errors.Add("K8sCache: PeerAddress, ApiAddress, GrpcAddress, AdminAddress and RespAddress need different, non-zero ports.");
        }

        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }

        return options;
    }

    /// <summary>The peer timeout must outlast the owner's load, or a slow origin turns one load into one per node: the
    /// default follows the longest loader timeout, and an explicit value that does not is refused.</summary>
    private static TimeSpan ReadPeerTimeout(IConfigurationSection section, IReadOnlyList<GroupOptions> groups, List<string> errors)
    {
        var longestLoad = groups.Select(g => g.Loader?.Timeout ?? TimeSpan.Zero).DefaultIfEmpty(TimeSpan.Zero).Max();
        var needed = longestLoad > TimeSpan.Zero ? longestLoad + Defaults.PeerTimeoutMargin : TimeSpan.Zero;
        if (section["PeerTimeout"] is null)
        {
            return needed > Defaults.PeerTimeout ? needed : Defaults.PeerTimeout;
        }

        var explicitTimeout = DurationOf(section, "PeerTimeout", Defaults.PeerTimeout, errors, positive: true, max: Defaults.MaxLoaderTimeout * 2);
        if (explicitTimeout < needed)
        {
            errors.Add($"{section.Path}:PeerTimeout: '{section["PeerTimeout"]}' must be at least the longest loader timeout " +
                $"({Duration.Format(longestLoad)}) plus {Duration.Format(Defaults.PeerTimeoutMargin)}, so an owner that is loading can answer; leave it out to derive it.");
        }

        return explicitTimeout;
    }

    private static RespOptions ReadResp(IConfigurationSection section, SidecarOptions options, List<string> errors)
    {
        var resp = new RespOptions
        {
            UnixSocket = NonEmpty(section["UnixSocket"]),
            DefaultGroup = NonEmpty(section["DefaultGroup"]),
            PasswordFile = NonEmpty(section["PasswordFile"]),
            MaxConnections = (int)SizeOf(section, "MaxConnections", Defaults.RespMaxConnections, 1, 4096, errors),
            // Unset, it grows with the value limit: a SET of the largest value always fits.
            MaxRequestBytes = SizeOf(section, "MaxRequestBytes", Math.Max(Defaults.RespMaxRequestBytes, options.Limits.MaxValueBytes + RespRequestOverhead), 1, 1L << 30, errors),
            MaxSubscriberBacklogBytes = SizeOf(section, "MaxSubscriberBacklogBytes", Defaults.RespMaxSubscriberBacklogBytes, 64 << 10, 1L << 30, errors),
        };
        if (resp.UnixSocket is { } socket && !Path.IsPathFullyQualified(socket))
        {
            errors.Add($"{section.Path}:UnixSocket: '{socket}' is not an absolute path.");
        }

        if (resp.DefaultGroup is { } group && options.Groups.All(g => g.Name != group))
        {
            errors.Add($"{section.Path}:DefaultGroup: '{group}' is not one of the groups ({string.Join(", ", options.Groups.Select(g => g.Name))}).");
        }

        if (resp.MaxRequestBytes < options.Limits.MaxValueBytes + RespRequestOverhead)
        {
            errors.Add($"{section.Path}:MaxRequestBytes: {resp.MaxRequestBytes} is smaller than Limits:MaxValueBytes plus 64Ki; a SET of the largest value must fit.");
        }

        return resp;
    }

    /// <summary>Groups without a MaxBytes share what the memory limit leaves after the fixed overhead and the memory of
    /// the groups that set one, by weight; each turns its share of memory into accounted bytes by what an accounted byte
    /// of its eviction policy costs (<see cref="MemoryOf"/>). With no limit known they keep the default.</summary>
    private static IReadOnlyList<GroupOptions> Budgets(IConfigurationSection section, IReadOnlyList<GroupOptions> groups, long? memoryLimit, List<string> errors)
    {
        var unset = groups.Where(g => section.GetChildren().Any(c => c["Name"] == g.Name && c["MaxBytes"] is null)).ToHashSet();
        if (memoryLimit is not { } limit || unset.Count == 0)
        {
            return groups;
        }

        var rest = limit - Defaults.FixedMemoryOverhead - groups.Where(g => !unset.Contains(g)).Sum(g => MemoryOf(g.Eviction, g.MaxBytes));
        var weights = unset.Sum(g => (long)g.Weight);
        var budgets = unset.ToDictionary(g => g.Name, g => AccountedFor(g.Eviction, Math.Max(0, rest) * g.Weight / weights));
        if (budgets.Values.Any(b => b < 1L << 20))
        {
            errors.Add($"{section.Path}: the memory limit ({limit} bytes) leaves {Math.Max(0, rest)} bytes of memory for the groups without MaxBytes " +
                $"(after {Defaults.FixedMemoryOverhead} bytes of fixed overhead and the memory of the groups that set MaxBytes); each needs at least 1Mi of budget: raise the limit or set MaxBytes.");
            return groups;
        }

        return groups.Select(g => budgets.TryGetValue(g.Name, out var budget) ? g with { MaxBytes = budget } : g).ToList();
    }

    /// <summary>Memory that <paramref name="accounted"/> bytes of a group with this policy cost (docs/configuration.md,
    /// "Memory budget").</summary>
    private static long MemoryOf(EvictionPolicy policy, long accounted) => policy == EvictionPolicy.Lru
        ? accounted * Defaults.LruMemoryPerAccountedByte
        : accounted / Defaults.SlabMemoryPerAccountedByteDenominator * Defaults.SlabMemoryPerAccountedByteNumerator;

    private static long AccountedFor(EvictionPolicy policy, long memory) => policy == EvictionPolicy.Lru
        ? memory / Defaults.LruMemoryPerAccountedByte
        : memory / Defaults.SlabMemoryPerAccountedByteNumerator * Defaults.SlabMemoryPerAccountedByteDenominator;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static LimitsOptions ReadLimits(IConfigurationSection section, List<string> errors) => new()
    {
        MaxKeyBytes = (int)SizeOf(section, "MaxKeyBytes", Defaults.MaxKeyBytes, 1, Defaults.MaxKeyBytesCeiling, errors),
        MaxValueBytes = (int)SizeOf(section, "MaxValueBytes", Defaults.MaxValueBytes, 0, 64L << 20, errors),
        MaxBatchKeys = (int)SizeOf(section, "MaxBatchKeys", Defaults.MaxBatchKeys, 1, 100_000, errors),
    };

    /// <summary>Least recently used tags go first when it is full (an evicted tag record makes the entries it
    /// invalidated valid again, so the budget is generous and the policy predictable).</summary>
    private static readonly GroupOptions TagsGroup = new() { Name = Defaults.TagsGroupName, MaxBytes = Defaults.TagsGroupMaxBytes, Eviction = EvictionPolicy.Lru };

    private static List<GroupOptions> ReadGroups(IConfigurationSection section, List<string> errors)
    {
        var groups = new List<GroupOptions>();
        foreach (var child in section.GetChildren().OrderBy(c => int.TryParse(c.Key, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue))
        {
            var path = child.Path;
            var name = child["Name"];
            if (string.IsNullOrEmpty(name) || !DnsLabel().IsMatch(name))
            {
                errors.Add($"{path}:Name: '{name}' is not a DNS label (lower-case letters, digits and '-', at most 63, starting and ending alphanumeric).");
                continue;
            }

            if (groups.Any(g => g.Name == name))
            {
                errors.Add($"{path}:Name: group '{name}' is defined twice.");
                continue;
            }

            TimeSpan? ttl = child["Ttl"] is null ? null : DurationOf(child, "Ttl", TimeSpan.Zero, errors, positive: true);
            groups.Add(new GroupOptions
            {
                Name = name,
                MaxBytes = SizeOf(child, "MaxBytes", Defaults.GroupMaxBytes, 1, long.MaxValue, errors),
                Ttl = ttl,
                Eviction = ReadEviction(child, errors),
                Weight = WholeNumberOf(child, "Weight", 1, 1, 1000, errors),
                Loader = ReadLoader(child.GetSection("Loader"), errors),
            });
        }

        return groups;
    }

    private static EvictionPolicy ReadEviction(IConfigurationSection group, List<string> errors)
    {
        var text = group["Eviction"];
        if (text is null)
        {
            return EvictionPolicy.S3Fifo;
        }

        if (text.Equals("s3fifo", StringComparison.OrdinalIgnoreCase) || text.Equals("s3-fifo", StringComparison.OrdinalIgnoreCase))
        {
            return EvictionPolicy.S3Fifo;
        }

        if (text.Equals("lru", StringComparison.OrdinalIgnoreCase))
        {
            return EvictionPolicy.Lru;
        }

        errors.Add($"{group.Path}:Eviction: '{text}' is not S3Fifo or Lru.");
        return EvictionPolicy.S3Fifo;
    }

    private static LoaderOptions? ReadLoader(IConfigurationSection section, List<string> errors)
    {
        if (!section.Exists())
        {
            return null;
        }

        var url = section["Url"];
        var grpc = section["Grpc"];
        if (string.IsNullOrWhiteSpace(url) == string.IsNullOrWhiteSpace(grpc))
        {
            errors.Add($"{section.Path}: set exactly one of Url (an HTTP loader) and Grpc (a gRPC Loader service).");
            return null;
        }

        if (url is not null && !LoaderUrlIsValid(url, out var why))
        {
            errors.Add($"{section.Path}:Url: '{url}' {why}");
        }

        if (grpc is not null && (!Uri.TryCreate(grpc, UriKind.Absolute, out var g) || g.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"{section.Path}:Grpc: '{grpc}' is not an http://host:port address.");
        }

        return new LoaderOptions
        {
            Url = string.IsNullOrWhiteSpace(url) ? null : url,
            Grpc = string.IsNullOrWhiteSpace(grpc) ? null : grpc,
            Timeout = DurationOf(section, "Timeout", Defaults.LoaderTimeout, errors, positive: true, max: Defaults.MaxLoaderTimeout),
        };
    }

    internal static bool LoaderUrlIsValid(string url, out string why)
    {
        why = string.Empty;
        if (!url.Contains("{key}", StringComparison.Ordinal))
        {
            why = "has no {key} placeholder.";
            return false;
        }

        var probe = url.Replace("{key}", "k", StringComparison.Ordinal).Replace("{group}", "g", StringComparison.Ordinal);
        if (!Uri.TryCreate(probe, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            why = "is not an absolute http:// or https:// URL.";
            return false;
        }

        return true;
    }

    private static string Address(IConfigurationSection section, string key, string fallback, List<string> errors)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (!EndpointParser.TryParseHostPort(value, out _, out _))
        {
            errors.Add($"{section.Path}:{key}: '{value}' is not host:port.");
            return fallback;
        }

        return value;
    }

    private static TimeSpan DurationOf(IConfigurationSection section, string key, TimeSpan fallback, List<string> errors, bool positive, TimeSpan? max = null)
    {
        var value = section[key];
        if (value is null)
        {
            return fallback;
        }

        if (!Duration.TryParse(value, out var duration) || (positive && duration <= TimeSpan.Zero))
        {
            errors.Add($"{section.Path}:{key}: '{value}' is not a {(positive ? "positive " : string.Empty)}duration such as 500ms, 30s, 5m or 1h.");
            return fallback;
        }

        if (duration > max)
        {
            errors.Add($"{section.Path}:{key}: '{value}' is longer than the most accepted, {Duration.Format(max.Value)}.");
            return fallback;
        }

        return duration;
    }

    private static long SizeOf(IConfigurationSection section, string key, long fallback, long min, long max, List<string> errors)
    {
        var value = section[key];
        if (value is null)
        {
            return fallback;
        }

        if (!ByteSize.TryParse(value, out var size) || size < min || size > max)
        {
            errors.Add($"{section.Path}:{key}: '{value}' is not a size between {min} and {max} bytes (a number or a quantity such as 64Mi).");
            return fallback;
        }

        return size;
    }

    private static int WholeNumberOf(IConfigurationSection section, string key, int fallback, int min, int max, List<string> errors)
    {
        var value = section[key];
        if (value is null)
        {
            return fallback;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            errors.Add($"{section.Path}:{key}: '{value}' is not a whole number between {min} and {max}.");
            return fallback;
        }

        return number;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
