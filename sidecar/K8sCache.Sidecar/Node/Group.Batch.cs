using K8sCache.Sidecar.Coalescing;

namespace K8sCache.Sidecar.Node;

/// <summary>The batch Get: <see cref="GetAsync(string, CancellationToken)"/> for many keys, with one peer call per owner.</summary>
internal sealed partial class Group
{
    /// <summary>
    /// A batch Get from an application. Each key goes the way <see cref="GetAsync(string, CancellationToken)"/> takes it
    /// — a hit answered here, a key in flight joining its flight, a key this node owns loaded here — except that the
    /// misses owned by other members are asked of each owner together, in one call (<see cref="OwnerBatches"/>).
    /// Returns one task per key, in the order of <paramref name="keys"/>; a key's failure is its own task's.
    /// </summary>
    public Task<GetResult>[] GetMany(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var batches = new OwnerBatches(Name);
        Func<string, Flight, Task<GetResult>> fetch = (key, flight) => FetchAsync(key, flight, batches);
        var results = new Task<GetResult>[keys.Count];
        try
        {
            // Each key's fetch starts synchronously inside this loop and, up to its owner's answer, runs without
            // waiting: every owned miss is in the batches before they are sent.
            for (var i = 0; i < keys.Count; i++)
            {
                results[i] = StartGet(keys[i], fetch, cancellationToken);
            }
        }
        finally
        {
            batches.Send();
        }

        return results;
    }

    private Task<GetResult> StartGet(string key, Func<string, Flight, Task<GetResult>> fetch, CancellationToken cancellationToken)
    {
        try
        {
            return GetAsync(key, fetch, cancellationToken).AsTask();
        }
        catch (InputException e)
        {
            return Task.FromException<GetResult>(e);
        }
    }
}
