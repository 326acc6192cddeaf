using System.Text.Json.Nodes;

namespace K8sCache.Kubernetes.Testing;

/// <summary>The metav1.Status bodies the API server answers errors with, with its reasons and messages.</summary>
public static class Statuses
{
    public static (int Code, JsonObject Body) NotFound(ApiResource resource, string name) =>
        Failure(404, "NotFound", $"{resource.Plural}{Group(resource)} \"{name}\" not found", resource, name);

    public static (int Code, JsonObject Body) AlreadyExists(ApiResource resource, string name) =>
        Failure(409, "AlreadyExists", $"{resource.Plural}{Group(resource)} \"{name}\" already exists", resource, name);

    public static (int Code, JsonObject Body) Conflict(ApiResource resource, string name, string? detail = null) =>
        Failure(409, "Conflict", detail ?? $"Operation cannot be fulfilled on {resource.Plural}{Group(resource)} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", resource, name);

    public static (int Code, JsonObject Body) Gone(string message) => Failure(410, "Expired", message, null, null);

    public static (int Code, JsonObject Body) BadRequest(string message) => Failure(400, "BadRequest", message, null, null);

    public static (int Code, JsonObject Body) MethodNotAllowed(string message) => Failure(405, "MethodNotAllowed", message, null, null);

    public static (int Code, JsonObject Body) UnsupportedMediaType(string message) => Failure(415, "UnsupportedMediaType", message, null, null);

    /// <summary>422 Invalid, one cause per field, the message as the real server words it.</summary>
    public static (int Code, JsonObject Body) Invalid(ApiResource resource, string name, IReadOnlyList<(string Field, string Message)> causes)
    {
        var list = string.Join(", ", causes.Select(c => $"{c.Field}: {c.Message}"));
        var message = $"{resource.QualifiedKind} \"{name}\" is invalid: {(causes.Count == 1 ? list : "[" + list + "]")}";
        var (code, body) = Failure(422, "Invalid", message, resource, name);
        body["details"]!["causes"] = new JsonArray(causes.Select(c => (JsonNode)new JsonObject
        {
            ["reason"] = "FieldValueInvalid",
            ["message"] = c.Message,
            ["field"] = c.Field,
        }).ToArray());
        return (code, body);
    }

    private static string Group(ApiResource resource) => resource.Group.Length == 0 ? string.Empty : "." + resource.Group;

    private static (int, JsonObject) Failure(int code, string reason, string message, ApiResource? resource, string? name) => (code, new JsonObject
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["details"] = new JsonObject { ["name"] = name, ["group"] = resource?.Group, ["kind"] = resource?.Plural },
        ["code"] = code,
    });
}
