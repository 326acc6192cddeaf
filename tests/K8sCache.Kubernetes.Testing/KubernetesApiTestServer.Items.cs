using K8sCache.Operator.Api;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace K8sCache.Kubernetes.Testing;

/// <summary>Requests on one object: get, update, patch, apply, delete, and its status and scale subresources.</summary>
public sealed partial class KubernetesApiTestServer
{
    private async Task ItemAsync(HttpContext context, ApiResource resource, string? ns, string name)
    {
        var method = context.Request.Method;
        if (HttpMethods.IsGet(method))
        {
            var obj = Store.Get(resource, ns, name) ?? throw new ApiException(Statuses.NotFound(resource, name));
            if (context.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal))
            {
                await WriteAsync(context, 200, TableWriter.Write(resource, [obj], Store.ResourceVersion, DateTimeOffset.UtcNow));
                return;
            }

            obj["metadata"]!["managedFields"] = Store.ManagedFields(resource, ns, name);
            await WriteAsync(context, 200, obj);
            return;
        }

        if (HttpMethods.IsDelete(method))
        {
            var deleted = Store.Delete(resource, ns, name, _resources.Values);
            await WriteAsync(context, 200, deleted, write: true);
            return;
        }

        JsonObject result;
        if (HttpMethods.IsPut(method))
        {
            result = Store.Update(resource, ns, name, await ValidatedBodyAsync(context, resource), Manager(context));
        }
        else if (HttpMethods.IsPatch(method) && context.Request.ContentType?.StartsWith("application/apply-patch", StringComparison.Ordinal) == true)
        {
            var manager = context.Request.Query["fieldManager"].ToString();
            if (manager.Length == 0)
            {
                throw new ApiException(Statuses.BadRequest("fieldManager is required for apply requests"));
            }

            var applied = await ValidatedBodyAsync(context, resource);
            var creates = Store.Get(resource, ns, name) is null;
            if (creates)
            {
                _authorizations.TryAdd($"create {resource.Group} {resource.Plural}", true);
            }

            result = Store.Apply(resource, ns, name, applied, manager, context.Request.Query["force"] == "true");
            if (creates)
            {
                AfterWrite(resource, result);
                await WriteAsync(context, 201, result, write: true);
                return;
            }
        }
        else if (HttpMethods.IsPatch(method))
        {
            var live = Store.Get(resource, ns, name) ?? throw new ApiException(Statuses.NotFound(resource, name));
            var patched = await PatchedAsync(context, live);
            ValidateCustomObject(context, resource, patched);
            result = Store.Update(resource, ns, name, patched, Manager(context));
        }
        else
        {
            throw new ApiException(Statuses.MethodNotAllowed($"{method} is not supported"));
        }

        AfterWrite(resource, result);
        await WriteAsync(context, 200, result, write: true);
    }

    private async Task StatusAsync(HttpContext context, ApiResource resource, string? ns, string name)
    {
        var live = Store.Get(resource, ns, name) ?? throw new ApiException(Statuses.NotFound(resource, name));
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await WriteAsync(context, 200, live);
            return;
        }

        var next = HttpMethods.IsPut(context.Request.Method) ? await BodyAsync(context) : await PatchedAsync(context, live);
        await WriteAsync(context, 200, Store.Update(resource, ns, name, next, Manager(context), statusOnly: true), write: true);
    }

    /// <summary>The autoscaling/v1 Scale view of a custom resource, as kubectl scale and the HPA use it.</summary>
    private async Task ScaleAsync(HttpContext context, ApiResource resource, string ns, string name)
    {
        var (specPath, statusPath, selectorPath) = resource.Scale!.Value;
        var live = Store.Get(resource, ns, name) ?? throw new ApiException(Statuses.NotFound(resource, name));
        JsonObject Scale(JsonObject obj) => new()
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["uid"] = obj["metadata"]!["uid"]!.DeepClone(),
                ["resourceVersion"] = obj["metadata"]!["resourceVersion"]!.DeepClone(),
                ["creationTimestamp"] = obj["metadata"]!["creationTimestamp"]!.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = TableWriter.Evaluate(obj, specPath)?.DeepClone() ?? 0 },
            ["status"] = new JsonObject
            {
                ["replicas"] = TableWriter.Evaluate(obj, statusPath)?.DeepClone() ?? 0,
                ["selector"] = selectorPath is null ? null : TableWriter.Evaluate(obj, selectorPath)?.DeepClone(),
            },
        };

        if (HttpMethods.IsGet(context.Request.Method))
        {
            await WriteAsync(context, 200, Scale(live));
            return;
        }

        var scale = HttpMethods.IsPut(context.Request.Method) ? await BodyAsync(context) : await PatchedAsync(context, Scale(live));
        var replicas = scale["spec"]?["replicas"]?.DeepClone() ?? throw new ApiException(Statuses.BadRequest("spec.replicas is required"));
        var next = (JsonObject)live.DeepClone();
        FieldPaths.Set(next, string.Join('\u0001', specPath.TrimStart('.').Split('.')), replicas);
        next["metadata"]!["resourceVersion"] = scale["metadata"]?["resourceVersion"]?.DeepClone() ?? live["metadata"]!["resourceVersion"]!.DeepClone();
        ValidateCustomObject(context, resource, next);
        await WriteAsync(context, 200, Scale(Store.Update(resource, ns, name, next, Manager(context))), write: true);
    }

    /// <summary>Reads the body (JSON or YAML) and, for custom resources, defaults and validates it against the CRD.</summary>
    private async Task<JsonObject> ValidatedBodyAsync(HttpContext context, ApiResource resource)
    {
        var body = await BodyAsync(context);
        ValidateCustomObject(context, resource, body);
        return body;
    }

    private static void ValidateCustomObject(HttpContext context, ApiResource resource, JsonObject obj)
    {
        if (resource.Schema is null)
        {
            return;
        }

        var unknown = new List<string>();
        var causes = SchemaValidator.Validate(obj, resource.Schema, unknown);
        var name = (string?)obj["metadata"]?["name"] ?? string.Empty;
        if (unknown.Count > 0 && context.Request.Query["fieldValidation"] == "Strict")
        {
            throw new ApiException(Statuses.BadRequest(
                $"{resource.Kind} in version \"{resource.Version}\" cannot be handled as a {resource.Kind}: strict decoding error: " +
                string.Join(", ", unknown.Select(u => $"unknown field \"{u}\""))));
        }

        if (causes.Count > 0)
        {
            throw new ApiException(Statuses.Invalid(resource, name, causes));
        }
    }

    /// <summary>A CustomResourceDefinition that was written registers (or updates) its kind and is marked Established.</summary>
    private void AfterWrite(ApiResource resource, JsonObject obj)
    {
        if (resource.Kind != "CustomResourceDefinition")
        {
            return;
        }

        var spec = obj["spec"]!;
        var version = spec["versions"]!.AsArray().First(v => (bool?)v?["storage"] == true)!;
        var scale = version["subresources"]?["scale"];
        var names = spec["names"]!;
        var custom = new ApiResource((string)spec["group"]!, (string)version["name"]!, (string)names["plural"]!, (string?)names["singular"] ?? ((string)names["kind"]!).ToLowerInvariant(),
            (string)names["kind"]!, (string?)spec["scope"] == "Namespaced")
        {
            ShortNames = names["shortNames"]?.AsArray().Select(s => (string)s!).ToArray() ?? [],
            Categories = names["categories"]?.AsArray().Select(s => (string)s!).ToArray() ?? [],
            HasStatusSubresource = version["subresources"]?["status"] is not null,
            Scale = scale is null ? null : ((string)scale["specReplicasPath"]!, (string)scale["statusReplicasPath"]!, (string?)scale["labelSelectorPath"]),
            Schema = version["schema"]?["openAPIV3Schema"]?.DeepClone().AsObject(),
            PrinterColumns = version["additionalPrinterColumns"]?.DeepClone().AsArray(),
        };
        _resources[custom.Key] = custom;
        var established = (JsonObject)obj.DeepClone();
        established["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "NamesAccepted", ["status"] = "True", ["reason"] = "NoConflicts", ["message"] = "no conflicts found" },
                new JsonObject { ["type"] = "Established", ["status"] = "True", ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted" }),
            ["acceptedNames"] = names.DeepClone(),
            ["storedVersions"] = new JsonArray((string)version["name"]!),
        };
        Store.Update(resource, null, (string)obj["metadata"]!["name"]!, established, "apiextensions-apiserver", statusOnly: true);
    }

    private static async Task<JsonObject> PatchedAsync(HttpContext context, JsonObject live)
    {
        var text = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        var contentType = context.Request.ContentType ?? string.Empty;
        if (contentType.StartsWith("application/json-patch+json", StringComparison.Ordinal))
        {
            return JsonPatch.Apply(live, JsonNode.Parse(text)!.AsArray());
        }

        if (contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal)
            || contentType.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal))
        {
            return MergePatch.Apply(live, JsonNode.Parse(text))!.AsObject();
        }

        throw new ApiException(Statuses.UnsupportedMediaType($"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"));
    }
}
