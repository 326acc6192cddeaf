using System.Buffers;
using System.Text;
using K8sCache.Sidecar.PubSub;
using K8sCache.Sidecar.Resp;

namespace K8sCache.Sidecar.Tests.Resp;

/// <summary>One connection's queue of published messages: the publisher never waits, the connection is woken once per
/// batch, and a connection that lets its backlog pass the limit is closed once.</summary>
public sealed class RespSubscriberTests
{
    [Fact]
    public void Messages_WakeTheConnectionOnce_AndAreWrittenInOrder_InTheSessionsProtocol()
    {
        var (wakes, aborts) = (0, 0);
        var session = new RespSession(1, authenticated: true) { Wake = () => wakes++, Abort = () => aborts++ };
        var subscriber = new RespSubscriber(session, 1 << 20, new PubSubStats());

        subscriber.Deliver(null, "ch"u8.ToArray(), "one"u8.ToArray());
        session.Protocol = 3;
        subscriber.Deliver("c*"u8.ToArray(), "ch"u8.ToArray(), "two"u8.ToArray());
        var output = new ArrayBufferWriter<byte>();
        subscriber.WriteTo(output);
        subscriber.Deliver(null, "ch"u8.ToArray(), "three"u8.ToArray());

        Assert.Equal(
            "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\none\r\n>4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$3\r\ntwo\r\n",
            Encoding.ASCII.GetString(output.WrittenSpan));
        Assert.Equal((2, 0), (wakes, aborts));
    }

    [Fact]
    public void ABacklogOverTheLimit_ClosesTheConnectionOnce_AndDropsTheRest()
    {
        var aborts = 0;
        var stats = new PubSubStats();
        var session = new RespSession(1, authenticated: true) { Wake = () => { }, Abort = () => aborts++ };
        var subscriber = new RespSubscriber(session, 1000, stats);

        for (var i = 0; i < 10; i++)
        {
            subscriber.Deliver(null, "ch"u8.ToArray(), new byte[300]);
        }

        var output = new ArrayBufferWriter<byte>();
        subscriber.WriteTo(output);
        Assert.Equal((1, 1L), (aborts, stats.SlowSubscribersClosed));
        Assert.InRange(output.WrittenCount, 900, 1000);
    }
}
