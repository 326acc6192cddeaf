using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace K8sCache.Sidecar.Api;

/// <summary>Tasks in the order they complete, for the batch answers that stream each key as soon as it is known.</summary>
internal static class CompletionOrder
{
    /// <summary>Yields each task's result as it completes (a failed task throws here, so callers give every task its
    /// own error handling). Each completion costs one queued item, not a scan of the tasks still running.</summary>
    public static async IAsyncEnumerable<T> Of<T>(IReadOnlyList<Task<T>> tasks, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var completed = Channel.CreateUnbounded<Task<T>>(new UnboundedChannelOptions { SingleReader = true });
        foreach (var task in tasks)
        {
            _ = task.ContinueWith(
                static (done, writer) => ((ChannelWriter<Task<T>>)writer!).TryWrite(done),
                completed.Writer, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        for (var i = 0; i < tasks.Count; i++)
        {
            var done = await completed.Reader.ReadAsync(cancellationToken);
            yield return await done;
        }
    }
}
