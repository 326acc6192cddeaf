namespace K8sCache.Sidecar.Transport;

/// <summary>What an <see cref="EventLoop"/> calls, always on its own thread, for one registered descriptor.</summary>
internal interface IEventLoopHandler
{
    /// <summary>The descriptor is ready: <see cref="Epoll.In"/>, <see cref="Epoll.Out"/>, <see cref="Epoll.HangUp"/>
    /// or <see cref="Epoll.Error"/> are set in <paramref name="events"/>.</summary>
    void OnEvents(uint events);

    /// <summary>Some thread called <see cref="EventLoop.Post"/> for this handler.</summary>
    void OnPosted();

    /// <summary>The loop handled every event of this wake-up (the handler asked with
    /// <see cref="EventLoop.AtBatchEnd"/>).</summary>
    void OnBatchEnd();

    /// <summary>Releases the descriptor: <paramref name="fault"/> is what a call above threw, or null when the loop
    /// stops.</summary>
    void Close(Exception? fault);
}
