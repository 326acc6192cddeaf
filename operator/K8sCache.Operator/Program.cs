using K8sCache.Operator.Hosting;

// k8scache-operator [run] [--K8sCache:Operator:Key=value ...]   the operator (in a cluster, or with a kubeconfig)
// k8scache-operator render -f FILE [-o yaml|json]              print what the operator would apply, no cluster needed
if (args.Length > 0 && args[0] == "render")
{
    return RenderCommand.Run(args[1..], Console.In, Console.Out, Console.Error);
}

return await OperatorHost.RunAsync(args.Length > 0 && args[0] == "run" ? args[1..] : args);
