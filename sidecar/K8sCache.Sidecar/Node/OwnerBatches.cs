using System.Runtime.InteropServices;
using K8sCache.Sidecar.Peers;

namespace K8sCache.Sidecar.Node;

/// <summary>
/// The misses of one batch Get that other members own, gathered per owner while the batch starts each key's fetch,
/// then sent as one <see cref="IPeer.GetManyAsync"/> per owner (a single key as a plain Get). Each key's fetch awaits
/// its own answer, so what happens after it — the hot copy, a local load when the owner fails, the loader's error —
/// is what a single Get does.
/// </summary>
internal sealed class OwnerBatches(string group)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<IPeer, List<Pending>> _byOwner = [];
    private bool _sent;

    /// <summary>The owner's answer for <paramref name="key"/>, once <see cref="Send"/> has sent the batch. A fetch that
    /// starts after that is asked on its own.</summary>
    public Task<PeerValue> GetAsync(IPeer owner, string key)
    {
        lock (_lock)
        {
            if (!_sent)
            {
                var answer = new TaskCompletionSource<PeerValue>(TaskCreationOptions.RunContinuationsAsynchronously);
                (CollectionsMarshal.GetValueRefOrAddDefault(_byOwner, owner, out _) ??= []).Add(new Pending(key, answer));
                return answer.Task;
            }
        }

        return owner.GetAsync(group, key, CancellationToken.None);
    }

    /// <summary>Sends every owner its keys. Called once, when every key of the batch has started.</summary>
    public void Send()
    {
        lock (_lock)
        {
            _sent = true;
        }

        foreach (var (owner, pending) in _byOwner)
        {
            _ = pending.Count == 1 ? SendOneAsync(owner, pending[0]) : SendAsync(owner, pending);
        }
    }

    private async Task SendOneAsync(IPeer owner, Pending pending)
    {
        try
        {
            pending.Answer.TrySetResult(await owner.GetAsync(group, pending.Key, CancellationToken.None));
        }
        catch (Exception e)
        {
            pending.Answer.TrySetException(e);
        }
    }

    private async Task SendAsync(IPeer owner, List<Pending> pending)
    {
        Exception unanswered;
        try
        {
            await owner.GetManyAsync(group, pending.ConvertAll(p => p.Key), answer =>
            {
                var answered = pending[answer.Index].Answer;
                if (answer.Failure is { } failure)
                {
                    answered.TrySetException(failure);
                }
                else
                {
                    answered.TrySetResult(answer.Value!);
                }
            }, CancellationToken.None);
            unanswered = new PeerCallException(PeerFailure.Failed, $"the owner {owner.Address} ended the batch without answering for the key");
        }
        catch (Exception e)
        {
            // The call failed as a whole: every key not answered yet fails as its single Get would have.
            unanswered = e;
        }

        foreach (var item in pending)
        {
            item.Answer.TrySetException(unanswered);
        }
    }

    private readonly record struct Pending(string Key, TaskCompletionSource<PeerValue> Answer);
}
