using System.Net;
using System.Net.Sockets;
using K8sCache.Sidecar.Transport;

namespace K8sCache.Sidecar.Tests.Transport;

/// <summary>The Redis endpoint's event loop: handlers run on its one thread, posts from any thread reach it, and a
/// handler that throws is closed while the loop serves the others.</summary>
public sealed class EventLoopTests
{
    [Fact]
    public async Task PostsFromManyThreads_EachRunOnTheLoopsOwnThread()
    {
        using var loop = new EventLoop("test loop");
        loop.Start();
        var handlers = Enumerable.Range(0, 200).Select(_ => new RecordingHandler()).ToArray();

        await Task.WhenAll(handlers.Select(h => Task.Run(() => loop.Post(h))));
        var threads = await Task.WhenAll(handlers.Select(h => h.Posted.Task.WaitAsync(TestTimeouts.Default)));
        loop.Stop(TestTimeouts.Default);

        Assert.Equal(["test loop"], threads.Distinct());
    }

    [Fact]
    public async Task AHandlerThatThrows_IsClosedWithItsFault_AndTheOthersAreStillServed()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var failingClient = Connect(listener, out var failingServer);
        using var goodClient = Connect(listener, out var goodServer);
        using var loop = new EventLoop("test loop");
        var failing = new RecordingHandler { Throw = true, Loop = loop, Socket = failingServer };
        var good = new RecordingHandler { Loop = loop, Socket = goodServer };
        loop.Add((int)failingServer.Handle, failing, Epoll.In);
        loop.Add((int)goodServer.Handle, good, Epoll.In);
        loop.Start();

        failingClient.Send("x"u8);
        var fault = await failing.Closed.Task.WaitAsync(TestTimeouts.Default);
        goodClient.Send("y"u8);
        var events = await good.Ready.Task.WaitAsync(TestTimeouts.Default);
        loop.Stop(TestTimeouts.Default);

        Assert.IsType<InvalidOperationException>(fault);
        Assert.NotEqual(0u, events & Epoll.In);
        Assert.Null(await good.Closed.Task.WaitAsync(TestTimeouts.Default));
    }

    private static Socket Connect(Socket listener, out Socket accepted)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        accepted = listener.Accept();
        accepted.Blocking = false;
        return client;
    }

    private sealed class RecordingHandler : IEventLoopHandler
    {
        public bool Throw { get; init; }

        public EventLoop? Loop { get; init; }

        public Socket? Socket { get; init; }

        public TaskCompletionSource<uint> Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<string?> Posted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<Exception?> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnEvents(uint events)
        {
            if (Throw)
            {
                throw new InvalidOperationException("a handler's bug");
            }

            Socket!.Receive(new byte[16]);
            Ready.TrySetResult(events);
        }

        public void OnPosted() => Posted.TrySetResult(Thread.CurrentThread.Name);

        public void OnBatchEnd()
        {
        }

        public void Close(Exception? fault)
        {
            if (Socket is not null)
            {
                Loop!.Remove((int)Socket.Handle);
                Socket.Dispose();
            }

            Closed.TrySetResult(fault);
        }
    }
}
