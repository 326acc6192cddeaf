using System.Collections.Concurrent;

namespace K8sCache.Cluster.Testing;

/// <summary>
/// Starts the harness's long-lived processes (containers, dnsmasq, operators, load loops) so that they die with the
/// test host, even when it is killed with SIGKILL and cannot stop them itself: each command runs under
/// <c>setpriv --pdeathsig KILL</c>, which asks the kernel for SIGKILL when its parent goes. The kernel's "parent" is
/// the thread that forked, not the process, so every start happens on one thread that lives as long as the process —
/// a thread-pool thread retiring would otherwise kill a healthy pod.
/// </summary>
public static class HostBoundProcess
{
    /// <summary>The prefix that binds a command to its parent: put it right before the program, after any
    /// <c>ip netns exec</c> or credential change. A program that changes its own credentials or drops capabilities
    /// clears the setting (dnsmasq does: <see cref="ClusterDns"/> runs it under a shell that keeps it).</summary>
    public static readonly string[] Prefix = ["setpriv", "--pdeathsig", "KILL"];

    private static readonly BlockingCollection<(Func<ChildProcess> Start, TaskCompletionSource<ChildProcess> Started)> Requests = StartSpawner();

    /// <summary>Runs <paramref name="start"/> on the spawning thread and returns what it started.</summary>
    public static ChildProcess Start(Func<ChildProcess> start)
    {
        var started = new TaskCompletionSource<ChildProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((start, started));
        return started.Task.GetAwaiter().GetResult();
    }

    private static BlockingCollection<(Func<ChildProcess>, TaskCompletionSource<ChildProcess>)> StartSpawner()
    {
        var requests = new BlockingCollection<(Func<ChildProcess>, TaskCompletionSource<ChildProcess>)>();
        var thread = new Thread(() =>
        {
            foreach (var (start, started) in requests.GetConsumingEnumerable())
            {
                try
                {
                    started.SetResult(start());
                }
                catch (Exception e)
                {
                    started.SetException(e);
                }
            }
        })
        {
            IsBackground = true,
            Name = "harness process spawner",
        };
        thread.Start();
        return requests;
    }
}
