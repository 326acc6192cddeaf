namespace K8sCache.Sidecar.Coalescing;

/// <summary>
/// Per-key call suppression (groupcache's singleflight): while a call for a key is in flight, later callers for the
/// same key wait for its result instead of starting their own. The call is forgotten as soon as it completes, so the
/// next caller after that starts a fresh one (results are cached elsewhere, not here).
/// </summary>
/// <typeparam name="T">The result of a call.</typeparam>
internal sealed class SingleFlight<T>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Task<T>> _calls = new(StringComparer.Ordinal);

    /// <summary>Calls currently in flight.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _calls.Count;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="call"/> for <paramref name="key"/> unless a call for it is already in flight, in which case
    /// its result (or exception) is shared. <paramref name="joined"/> says which happened. The call runs detached from
    /// any one caller's cancellation: <paramref name="cancellationToken"/> only stops this caller's wait.
    /// </summary>
    public Task<T> RunAsync(string key, Func<string, Task<T>> call, out bool joined, CancellationToken cancellationToken = default)
    {
        Task<T> task;
        TaskCompletionSource<T>? owner = null;
        lock (_lock)
        {
            joined = _calls.TryGetValue(key, out task!);
            if (!joined)
            {
                owner = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
                task = owner.Task;
                _calls.Add(key, task);
            }
        }

        if (owner is not null)
        {
            _ = ExecuteAsync(key, call, owner);
        }

        return cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task;
    }

    private async Task ExecuteAsync(string key, Func<string, Task<T>> call, TaskCompletionSource<T> owner)
    {
        try
        {
            owner.SetResult(await call(key));
        }
        catch (Exception e)
        {
            owner.SetException(e);
        }
        finally
        {
            // Forget the call only after its result is set: a caller arriving in between joins the finished task.
            lock (_lock)
            {
                _calls.Remove(key);
            }
        }
    }
}
