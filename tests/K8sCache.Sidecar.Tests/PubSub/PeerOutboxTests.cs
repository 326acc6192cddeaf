using System.Text;
using K8sCache.Sidecar.Peers;
using K8sCache.Sidecar.PubSub;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sCache.Sidecar.Tests.PubSub;

/// <summary>The outbox of one peer: publish order kept across batches, one call in flight, bounded, never retried.</summary>
public sealed class PeerOutboxTests
{
    [Fact]
    public async Task MessagesQueuedWhileACallIsInFlight_GoInTheNextCall_InOrder()
    {
        var relay = new HeldRelay();
        var stats = new PubSubStats();
        var outbox = new PeerOutbox(relay, 1 << 20, () => 1 << 20, stats, NullLogger.Instance);

        await QueueWhileTheFirstCallIsHeldAsync(outbox, relay);
        await relay.UntilReceivedAsync(6);
        await Eventually.TrueAsync(() => Volatile.Read(ref stats.Relayed) == 6, "the relayed count");

        Assert.Equal([["m0"], ["m1", "m2", "m3", "m4", "m5"]], relay.Calls);
        Assert.Equal(0L, stats.RelayDropped);
    }

    [Fact]
    public async Task AFullOutbox_DropsWhatDoesNotFit_AndAFailedCall_DropsItsBatchOnly()
    {
        var relay = new HeldRelay { FailFirstCall = true };
        var stats = new PubSubStats();
        var outbox = new PeerOutbox(relay, Message("m0").Size * 3, () => 1 << 20, stats, NullLogger.Instance);

        await QueueWhileTheFirstCallIsHeldAsync(outbox, relay);
        await relay.UntilReceivedAsync(3);
        await Eventually.TrueAsync(() => Volatile.Read(ref stats.Relayed) == 3, "the relayed count");

        // m0 was taken out (and failed); m1..m3 filled the outbox; m4 and m5 did not fit.
        Assert.Equal([["m1", "m2", "m3"]], relay.Calls.Skip(1));
        Assert.Equal(3L, stats.RelayDropped);
    }

    [Fact]
    public void APeerMarkedDown_GetsNothingQueued()
    {
        var stats = new PubSubStats();
        var outbox = new PeerOutbox(new HeldRelay { IsDown = true }, 1 << 20, () => 1 << 20, stats, NullLogger.Instance);

        outbox.Enqueue(Message("m0"));

        Assert.Equal(1L, stats.RelayDropped);
    }

    [Fact]
    public async Task ABatch_StaysWithinTheLimit()
    {
        var relay = new HeldRelay();
        var outbox = new PeerOutbox(relay, 1 << 20, () => Message("m0").Size * 2, new PubSubStats(), NullLogger.Instance);

        await QueueWhileTheFirstCallIsHeldAsync(outbox, relay);
        await relay.UntilReceivedAsync(6);

        Assert.All(relay.Calls, c => Assert.InRange(c.Count, 1, 2));
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"m{i}"), relay.Calls.SelectMany(c => c));
    }

    /// <summary>m0 goes out alone and its call is held; m1..m5 are queued meanwhile; then the call is let go.</summary>
    private static async Task QueueWhileTheFirstCallIsHeldAsync(PeerOutbox outbox, HeldRelay relay)
    {
        outbox.Enqueue(Message("m0"));
        await relay.FirstCallStarted.Task.WaitAsync(TestTimeouts.Default);
        for (var i = 1; i <= 5; i++)
        {
            outbox.Enqueue(Message($"m{i}"));
        }

        relay.Release.SetResult();
    }

    private static PeerMessage Message(string payload) => new("ch"u8.ToArray(), Encoding.UTF8.GetBytes(payload));

    /// <summary>A peer whose first call waits until the test releases it (and then fails, if asked).</summary>
    private sealed class HeldRelay : IMessageRelay
    {
        private readonly Lock _lock = new();
        private int _received;

        public TaskCompletionSource FirstCallStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool FailFirstCall { get; init; }

        public List<List<string>> Calls { get; } = [];

        public string Address => "10.0.0.9:7070";

        public bool IsDown { get; init; }

        public async Task PublishAsync(IReadOnlyList<PeerMessage> messages, CancellationToken cancellationToken)
        {
            bool first;
            lock (_lock)
            {
                first = Calls.Count == 0;
                Calls.Add(messages.Select(m => Encoding.UTF8.GetString(m.Payload)).ToList());
            }

            if (first)
            {
                FirstCallStarted.SetResult();
                await Release.Task;
                if (FailFirstCall)
                {
                    throw new PeerCallException(PeerFailure.Unreachable, "refused", null);
                }
            }

            Interlocked.Add(ref _received, first && FailFirstCall ? 0 : messages.Count);
        }

        public Task UntilReceivedAsync(int count) => Eventually.TrueAsync(() => Volatile.Read(ref _received) >= count, $"{count} messages at the peer");
    }
}
