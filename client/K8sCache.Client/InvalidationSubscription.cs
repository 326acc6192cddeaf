using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace K8sCache.Client;

/// <summary>
/// One connection to the sidecar subscribed to <c>__k8scache__:invalidate:GROUP</c> for each group this process has
/// asked for: the sidecar publishes there every key of the group that changes anywhere in the cluster, before the write
/// returns. A heartbeat PING goes out every 250 ms; when nothing arrived for a second, or the connection breaks, the
/// subscription is lost — reported at once, then made again with back-off, each group reported again when the
/// sidecar confirms it.
/// </summary>
internal sealed class InvalidationSubscription(
    K8sCacheOptions options, Action<string, string> changed, Action<string> subscribed, Action lost) : IAsyncDisposable
{
    public const string ChannelPrefix = "__k8scache__:invalidate:";

    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan SilenceLimit = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    /// <summary>Every group asked for, and its confirmation on the current connection.</summary>
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _groups = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _startLock = new();
    private volatile RespConnection? _connection;
    private Task? _run;
    private long _lastFrame;

    /// <summary>Whether the sidecar confirmed the group's subscription on the connection that is open now.</summary>
    public bool IsSubscribed(string group) => _groups.TryGetValue(group, out var confirmed) && confirmed.Task.IsCompletedSuccessfully;

    /// <summary>Subscribes to the group's changes if that is not done yet, and waits for the confirmation at most the
    /// connect timeout; never throws (a caller that goes on unconfirmed has its entries judged by
    /// <see cref="IsSubscribed"/>).</summary>
    public Task EnsureAsync(string group)
    {
        if (_groups.TryGetValue(group, out var confirmed) && confirmed.Task.IsCompleted)
        {
            return Task.CompletedTask;
        }

        Start();
        var added = false;
        confirmed = _groups.GetOrAdd(group, _ =>
        {
            added = true;
            return new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        });
        if (added && _connection is { } connection)
        {
            _ = SubscribeAsync(connection, [group]);
        }

        return confirmed.Task.WaitAsync(options.ConnectTimeout).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _connection?.Dispose();
        if (_run is not null)
        {
            await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
        _sendLock.Dispose();
    }

    private void Start()
    {
        lock (_startLock)
        {
            _run ??= Task.Run(RunAsync);
        }
    }

    private async Task RunAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var connection = await RespConnection.OpenAsync(options, _stop.Token).ConfigureAwait(false);
                Volatile.Write(ref _lastFrame, Stopwatch.GetTimestamp());
                _connection = connection;
                using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var beating = HeartbeatAsync(connection, heartbeat.Token);
                try
                {
                    await SubscribeAsync(connection, _groups.Keys).ConfigureAwait(false);
                    while (true)
                    {
                        var frame = await connection.ReadAsync(_stop.Token).ConfigureAwait(false);
                        Volatile.Write(ref _lastFrame, Stopwatch.GetTimestamp());
                        backoff = TimeSpan.FromMilliseconds(100);
                        Handle(frame);
                    }
                }
                finally
                {
                    await heartbeat.CancelAsync().ConfigureAwait(false);
                    await beating.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
            catch (Exception e) when (e is K8sCacheException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The connection is gone (or never came): lost, below.
            }

            _connection = null;
            Lose();
            try
            {
                await Task.Delay(backoff, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
        }
    }

    /// <summary>Every confirmation still pending or given on the old connection is void: report the loss.</summary>
    private void Lose()
    {
        foreach (var group in _groups.Keys)
        {
            _groups[group] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        lost();
    }

    private void Handle(RespReply frame)
    {
        if (frame.Kind != RespReplyKind.Array || frame.Items is not { Length: >= 3 } items || items[0].Bulk is not { } kind || items[1].Bulk is not { } channel)
        {
            return;
        }

        var name = Encoding.UTF8.GetString(channel);
        if (!name.StartsWith(ChannelPrefix, StringComparison.Ordinal))
        {
            return;
        }

        var group = name[ChannelPrefix.Length..];
        if (kind.AsSpan().SequenceEqual("message"u8))
        {
            changed(group, items[2].Bulk is { Length: > 0 } key ? Encoding.UTF8.GetString(key) : string.Empty);
        }
        else if (kind.AsSpan().SequenceEqual("subscribe"u8) && _groups.TryGetValue(group, out var confirmed))
        {
            // Reported before the confirmation is visible: whatever was read before now is judged stale first.
            subscribed(group);
            confirmed.TrySetResult();
        }
    }

    private async Task SubscribeAsync(RespConnection connection, ICollection<string> groups)
    {
        if (groups.Count == 0)
        {
            return;
        }

        await SendAsync(connection, c =>
        {
            c.Begin(groups.Count + 1).Argument("SUBSCRIBE"u8);
            foreach (var group in groups)
            {
                c.Argument(Encoding.UTF8.GetBytes(ChannelPrefix + group));
            }
        }).ConfigureAwait(false);
    }

    /// <summary>PINGs while the connection is quiet; closes it when the sidecar has said nothing for too long (frozen,
    /// or a network that stopped delivering), so the read fails and the loss is reported.</summary>
    private async Task HeartbeatAsync(RespConnection connection, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(HeartbeatInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            if (Stopwatch.GetElapsedTime(Volatile.Read(ref _lastFrame)) > SilenceLimit)
            {
                connection.Dispose();
                return;
            }

            await SendAsync(connection, static c => c.Begin(1).Argument("PING"u8)).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(RespConnection connection, Action<RespConnection> write)
    {
        try
        {
            await _sendLock.WaitAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            return;
        }

        try
        {
            write(connection);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(SilenceLimit);
            await connection.SendAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The read loop notices the broken connection and reports the loss.
            connection.Dispose();
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
