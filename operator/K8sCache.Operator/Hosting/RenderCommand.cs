using System.Text.Json;
using System.Text.Json.Nodes;
using K8sCache.Operator.Api;
using K8sCache.Operator.Rendering;
using K8sCache.Operator.Yaml;

namespace K8sCache.Operator.Hosting;

/// <summary>
/// <c>render -f FILE</c>: every object the operator would apply for the CacheGroups in FILE (YAML or JSON, one or more
/// documents; <c>-</c> reads standard input), in the order it applies them, so users preview a change without a
/// cluster. The peer-token Secret is shown with a placeholder: the real token is generated once, in the cluster. Each
/// CacheGroup is first checked as the API server checks it (the CRD's schema and rules, <see cref="CacheGroupSchema"/>)
/// and as the operator does (<see cref="InvalidSpecException"/>): every problem is one line naming the field, and the
/// exit code is 1; nothing is printed on standard output then.
/// </summary>
internal static class RenderCommand
{
    public const string TokenPlaceholder = "generated-by-the-operator-on-first-reconcile";

    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        string? file = null;
        var format = "yaml";
        var options = new RenderOptions();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-f" or "--filename" when i + 1 < args.Length:
                    file = args[++i];
                    break;
                case "-o" or "--output" when i + 1 < args.Length && args[i + 1] is "yaml" or "json":
                    format = args[++i];
                    break;
                case "--sidecar-image" when i + 1 < args.Length:
                    options = options with { DefaultSidecarImage = args[++i] };
                    break;
                default:
                    stderr.WriteLine($"render: unexpected argument '{args[i]}'. Usage: k8scache-operator render -f FILE [-o yaml|json] [--sidecar-image IMAGE]");
                    return 2;
            }
        }

        if (file is null)
        {
            stderr.WriteLine("render: -f FILE is required (use -f - for standard input).");
            return 2;
        }

        try
        {
            using var reader = file == "-" ? stdin : new StreamReader(Path.GetFullPath(file));
            var objects = new List<JsonNode>();
            var problems = new List<string>();
            foreach (var document in CacheGroupDocuments.ReadObjects(reader))
            {
                var name = $"CacheGroup {(string?)document["metadata"]?["namespace"] ?? "default"}/{(string?)document["metadata"]?["name"]}";
                var invalid = CacheGroupSchema.Problems(document);
                if (invalid.Count > 0)
                {
                    problems.AddRange(invalid.Select(p => $"{name}: {p}"));
                    continue;
                }

                try
                {
                    var cg = CacheGroupDocuments.Parse(document);
                    objects.AddRange(ManifestRenderer.Render(cg, options));
                    objects.Add(ManifestRenderer.PeerTokenSecret(cg, TokenPlaceholder));
                }
                catch (InvalidSpecException e)
                {
                    problems.Add($"{name}: {e.Message}");
                }
            }

            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    stderr.WriteLine($"render: {problem}");
                }

                return 1;
            }

            stdout.Write(format == "json"
                ? new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray(objects.ToArray()) }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n"
                : JsonToYaml.Write(objects));
            return 0;
        }
        catch (Exception e) when (e is IOException or FormatException or JsonException or YamlDotNet.Core.YamlException or InvalidDataException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"render: {e.Message}");
            return 1;
        }
    }
}
