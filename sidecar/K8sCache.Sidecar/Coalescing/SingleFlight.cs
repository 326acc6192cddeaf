using System.Diagnostics;

namespace K8sCache.Sidecar.Coalescing;

/// <summary>
/// Per-key call suppression (groupcache's singleflight): while a call for a key is in flight, later callers for the
/// same key wait for its result instead of starting their own. The call is forgotten as soon as it completes, so the
/// next caller after that starts a fresh one (results are cached elsewhere, not here).
/// <para>A write to a key <see cref="Detach"/>es the call in flight: callers that arrive afterwards start a new call
/// instead of joining one that began before the write, and the detached call's <see cref="Flight"/> says so, so it
/// does not store what it read.</para>
/// </summary>
/// <typeparam name="T">The result of a call.</typeparam>
internal sealed class SingleFlight<T>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (Task<T> Task, Flight Flight)> _calls = new(StringComparer.Ordinal);

    /// <summary>Calls currently in flight (detached ones excluded).</summary>
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
    public Task<T> RunAsync(string key, Func<string, Flight, Task<T>> call, out bool joined, CancellationToken cancellationToken = default) =>
        RunAsync(key, call, out joined, out _, cancellationToken);

    /// <summary>As <see cref="RunAsync(string, Func{string, Flight, Task{T}}, out bool, CancellationToken)"/>, and gives
    /// the call's <see cref="Flight.Trace"/> (the joined call's when <paramref name="joined"/>).</summary>
    public Task<T> RunAsync(string key, Func<string, Flight, Task<T>> call, out bool joined, out ActivityContext trace, CancellationToken cancellationToken = default)
    {
        Task<T> task;
        TaskCompletionSource<T>? owner = null;
        Flight? flight = null;
        lock (_lock)
        {
            joined = _calls.TryGetValue(key, out var existing);
            if (joined)
            {
                task = existing.Task;
                trace = existing.Flight.Trace;
            }
            else
            {
                owner = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
                flight = new Flight();
                task = owner.Task;
                trace = flight.Trace;
                _calls.Add(key, (task, flight));
            }
        }

        if (owner is not null)
        {
            _ = ExecuteAsync(key, call, owner, flight!);
        }

        return cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task;
    }

    /// <summary>Detaches the call in flight for <paramref name="key"/>, if any: it runs on for the callers that joined
    /// it, later callers start a new one, and its <see cref="Flight.IsDetached"/> becomes true. Callers that must make
    /// "detached" and "stored" exclusive hold one lock around both (see <c>Group</c>).</summary>
    public void Detach(string key)
    {
        lock (_lock)
        {
            if (_calls.Remove(key, out var call))
            {
                call.Flight.MarkDetached();
            }
        }
    }

    private async Task ExecuteAsync(string key, Func<string, Flight, Task<T>> call, TaskCompletionSource<T> owner, Flight flight)
    {
        try
        {
            owner.SetResult(await call(key, flight));
        }
        catch (Exception e)
        {
            owner.SetException(e);
        }
        finally
        {
            // Forget the call only after its result is set: a caller arriving in between joins the finished task.
            // Only this call's own entry: after a Detach, the key may already belong to a newer call.
            lock (_lock)
            {
                if (_calls.TryGetValue(key, out var current) && ReferenceEquals(current.Flight, flight))
                {
                    _calls.Remove(key);
                }
            }
        }
    }
}
