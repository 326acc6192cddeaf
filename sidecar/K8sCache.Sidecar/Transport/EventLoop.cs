using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace K8sCache.Sidecar.Transport;

/// <summary>
/// One thread that waits on epoll for its descriptors and runs their handlers itself, as Redis's event loop does: a
/// request that completes at once is read, run and answered on this thread, with no hand-over to the thread pool and
/// its wake-ups. What a handler writes during one wake-up is sent after every event of it is handled
/// (<see cref="AtBatchEnd"/>), so a client with many connections gets its answers together. Handlers never block: work
/// that waits (a peer, a loader) runs elsewhere and comes back through <see cref="Post"/>, the one member other
/// threads may call. The loop serves sockets it was given; it knows nothing of their protocol.
/// </summary>
internal sealed unsafe class EventLoop : IDisposable
{
    private const int MaxEvents = 256;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<IEventLoopHandler> _posted = new();
    private readonly List<IEventLoopHandler> _batchEnd = [];
    private IEventLoopHandler?[] _handlers = new IEventLoopHandler?[256];
    private int _wakePending;
    private volatile bool _stopping;

    public EventLoop(string threadName)
    {
        _epoll = Epoll.Create();
        _wake = Epoll.CreateEventFd();
        Epoll.Add(_epoll, _wake, Epoll.In);
        _thread = new Thread(Run) { IsBackground = true, Name = threadName };
    }

    public void Start() => _thread.Start();

    /// <summary>Watches <paramref name="fd"/> for <paramref name="events"/> (on the loop's thread, or before it
    /// starts).</summary>
    public void Add(int fd, IEventLoopHandler handler, uint events)
    {
        if (fd >= _handlers.Length)
        {
            Array.Resize(ref _handlers, Math.Max(_handlers.Length * 2, fd + 1));
        }

        _handlers[fd] = handler;
        Epoll.Add(_epoll, fd, events);
    }

    /// <summary>Changes what <paramref name="fd"/> is watched for; 0 leaves only hang-ups and errors.</summary>
    public void Watch(int fd, uint events) => Epoll.Modify(_epoll, fd, events);

    /// <summary>Stops watching <paramref name="fd"/>, before its handler closes it.</summary>
    public void Remove(int fd)
    {
        Epoll.Remove(_epoll, fd);
        _handlers[fd] = null;
    }

    /// <summary>Calls <see cref="IEventLoopHandler.OnBatchEnd"/> of <paramref name="handler"/> once this wake-up's
    /// events are handled; the handler asks once per wake-up.</summary>
    public void AtBatchEnd(IEventLoopHandler handler) => _batchEnd.Add(handler);

    /// <summary>Any thread: calls <see cref="IEventLoopHandler.OnPosted"/> of <paramref name="handler"/> on the loop's
    /// thread soon.</summary>
    public void Post(IEventLoopHandler handler)
    {
        _posted.Enqueue(handler);
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            Epoll.Signal(_wake);
        }
    }

    /// <summary>Ends the loop: every handler still registered is closed on its thread, then the thread exits.</summary>
    public void Stop(TimeSpan timeout)
    {
        _stopping = true;
        Epoll.Signal(_wake);
        _thread.Join(timeout);
    }

    public void Dispose()
    {
        Epoll.Close(_wake);
        Epoll.Close(_epoll);
    }

    private void Run()
    {
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * Epoll.EventSize));
        try
        {
            while (!_stopping)
            {
                var count = Epoll.Wait(_epoll, events, MaxEvents);
                for (var i = 0; i < count; i++)
                {
                    var (fd, ready) = Epoll.Read(events, i);
                    if (fd == _wake)
                    {
                        Epoll.Drain(_wake);
                        // Reset before the queue is read: a post after this point signals again.
                        Volatile.Write(ref _wakePending, 0);
                    }
                    else if (fd < _handlers.Length && _handlers[fd] is { } handler)
                    {
                        Guard(handler, static (h, e) => h.OnEvents(e), ready);
                    }
                }

                while (_posted.TryDequeue(out var posted))
                {
                    Guard(posted, static (h, _) => h.OnPosted(), 0);
                }

                foreach (var handler in _batchEnd)
                {
                    Guard(handler, static (h, _) => h.OnBatchEnd(), 0);
                }

                _batchEnd.Clear();
            }
        }
        finally
        {
            NativeMemory.Free(events);
            foreach (var handler in _handlers)
            {
                handler?.Close(null);
            }
        }
    }

    /// <summary>A handler that throws is closed; the loop and every other descriptor go on.</summary>
    private static void Guard(IEventLoopHandler handler, Action<IEventLoopHandler, uint> call, uint events)
    {
        try
        {
            call(handler, events);
        }
        catch (Exception e)
        {
            handler.Close(e);
        }
    }
}
