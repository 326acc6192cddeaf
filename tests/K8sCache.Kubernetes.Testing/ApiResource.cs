using System.Text.Json.Nodes;

namespace K8sCache.Kubernetes.Testing;

/// <summary>A resource the test server serves: built in, or registered by creating a CustomResourceDefinition.</summary>
public sealed record ApiResource(string Group, string Version, string Plural, string Singular, string Kind, bool Namespaced)
{
    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Writes to the main resource ignore .status; .status is written through /status.</summary>
    public bool HasStatusSubresource { get; init; }

    /// <summary>The scale subresource's paths, for custom resources that declare it.</summary>
    public (string SpecReplicas, string StatusReplicas, string? Selector)? Scale { get; init; }

    /// <summary>The openAPIV3Schema custom objects are validated against (null: not validated).</summary>
    public JsonObject? Schema { get; init; }

    /// <summary>additionalPrinterColumns for <c>kubectl get</c>'s table.</summary>
    public JsonArray? PrinterColumns { get; init; }

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string Key => $"{Group}/{Version}/{Plural}";

    /// <summary>How errors name the kind: <c>CacheGroup.k8scache.io</c>, <c>Service</c>.</summary>
    public string QualifiedKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";
}
