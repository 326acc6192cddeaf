namespace K8sCache.Operator.Hosting;

/// <summary>Runs the operator: Kubernetes client, leader election, informers, work queue and reconcilers.</summary>
internal static class OperatorHost
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine("the controller loop is not built yet; use 'render'.");
        return Task.FromResult(2);
    }
}
