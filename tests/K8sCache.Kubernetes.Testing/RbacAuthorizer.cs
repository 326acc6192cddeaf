using System.Text.Json.Nodes;

namespace K8sCache.Kubernetes.Testing;

/// <summary>
/// RBAC as the API server's authorizer applies it, for service-account identities: a request is allowed when a
/// ClusterRoleBinding grants it through a ClusterRole, or a RoleBinding in the request's namespace grants it through a
/// Role there or a ClusterRole. A rule matches on apiGroups, resources (<c>resource</c> or <c>resource/subresource</c>,
/// <c>*</c> for any), verbs and, when it names them, resourceNames. Not implemented: aggregated ClusterRoles,
/// nonResourceURLs, groups and users as subjects, impersonation.
/// </summary>
public static class RbacAuthorizer
{
    private const string RbacGroup = "rbac.authorization.k8s.io/v1";

    /// <summary>Whether the service account <paramref name="account"/> may <paramref name="verb"/> the
    /// target; <paramref name="targetNamespace"/> null for a cluster-scoped request.</summary>
    public static bool Allows(ObjectStore store, IEnumerable<ApiResource> resources, (string Namespace, string Name) account,
        string verb, string group, string resource, string? objectName, string? targetNamespace)
    {
        var all = resources.ToArray();
        var clusterRoles = Find(all, "clusterroles");
        var roles = Find(all, "roles");
        var rules = new List<JsonNode>();
        foreach (var binding in store.List(Find(all, "clusterrolebindings"), null, b => Binds(b, account)).Items)
        {
            rules.AddRange(RulesOf(store, clusterRoles, null, binding));
        }

        if (targetNamespace is not null)
        {
            foreach (var binding in store.List(Find(all, "rolebindings"), targetNamespace, b => Binds(b, account)).Items)
            {
                rules.AddRange((string?)binding["roleRef"]?["kind"] == "Role"
                    ? RulesOf(store, roles, targetNamespace, binding)
                    : RulesOf(store, clusterRoles, null, binding));
            }
        }

        return rules.Any(rule => Matches(rule["apiGroups"], group) && Matches(rule["resources"], resource) && Matches(rule["verbs"], verb)
            && (rule["resourceNames"] is not JsonArray { Count: > 0 } names || (objectName is not null && names.Any(n => (string?)n == objectName))));
    }

    /// <summary>The API server's words for a refusal.</summary>
    public static (int Code, JsonObject Body) Forbidden((string Namespace, string Name) account, string verb, string group, string resource, string? targetNamespace)
    {
        var plural = resource.Split('/')[0];
        var where = targetNamespace is null ? "at the cluster scope" : $"in the namespace \"{targetNamespace}\"";
        var message = $"{plural}{(group.Length == 0 ? string.Empty : "." + group)} is forbidden: User \"system:serviceaccount:{account.Namespace}:{account.Name}\" " +
            $"cannot {verb} resource \"{resource}\" in API group \"{group}\" {where}";
        return (403, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = "Forbidden",
            ["details"] = new JsonObject { ["group"] = group, ["kind"] = plural },
            ["code"] = 403,
        });
    }

    private static ApiResource Find(ApiResource[] resources, string plural) =>
        resources.Single(r => r.ApiVersion == RbacGroup && r.Plural == plural);

    private static bool Binds(JsonObject binding, (string Namespace, string Name) account) =>
        binding["subjects"]?.AsArray().Any(s => (string?)s?["kind"] == "ServiceAccount" && (string?)s["name"] == account.Name
            && (string?)s["namespace"] == account.Namespace) == true;

    private static IEnumerable<JsonNode> RulesOf(ObjectStore store, ApiResource kind, string? ns, JsonObject binding) =>
        store.Get(kind, ns, (string?)binding["roleRef"]?["name"] ?? string.Empty)?["rules"]?.AsArray().OfType<JsonNode>() ?? [];

    private static bool Matches(JsonNode? allowed, string value) =>
        allowed is JsonArray list && list.Any(a => (string?)a == value || (string?)a == "*");
}
