using System.Globalization;
using k8s;
using k8s.Models;
using K8sCache.Operator.Kubernetes;

namespace K8sCache.Operator.Runtime;

/// <summary>
/// One active operator among replicas, through a <c>coordination.k8s.io/v1</c> Lease, with client-go's algorithm and
/// its safety argument:
/// <list type="bullet">
/// <item>A candidate takes the Lease when it is free, or when its record (holder, renewTime, transitions) has not
/// changed for <see cref="LeaseDuration"/> <i>as this candidate observed it</i>, on its own monotonic clock. The
/// holder's renewTime is never compared with the local clock, so clock skew between replicas cannot hand a live Lease
/// to another.</item>
/// <item>The holder renews every <see cref="RetryPeriod"/>. Every attempt (each of its API calls) ends by the renew
/// deadline, counted from the <i>start</i> of the last successful renewal: a request stuck on a half-open connection
/// cannot keep it waiting. Any failure — a timeout, 403, 404, 429, 5xx, a lost connection — is a failed attempt.</item>
/// <item>When no renewal succeeded within <see cref="RenewDeadline"/> the holder stops leading: the work is cancelled
/// and awaited before it campaigns again. Since <see cref="RenewDeadline"/> is shorter than <see cref="LeaseDuration"/>
/// and another replica waits a full <see cref="LeaseDuration"/> from when it saw the last renewal, the holder has
/// stopped before anyone else can start.</item>
/// </list>
/// Every write carries the Lease's resourceVersion, so two candidates can never both win (one gets 409 Conflict).
/// On shutdown the holder releases the Lease, letting another take over at once.
/// <para>The library's own <c>LeaderElector</c> is not in its AOT flavour, and differs where LeaderElectionTests hold
/// this one: it starts the renew deadline after the last success and a retry period (not at the last success's start),
/// leaves a timed-out request running, observes on the wall clock, and does not release the Lease on shutdown.</para>
/// </summary>
internal sealed partial class LeaderElector(
    ClusterApi client, string ns, string leaseName, string identity, TimeProvider timeProvider, ILogger logger)
{
    private string? _observedRecord;
    private long _observedAt;

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    public string Identity => identity;

    /// <summary>True while this instance holds the Lease and its work runs.</summary>
    public bool IsLeader { get; private set; }

    /// <summary>Campaigns until <paramref name="cancellationToken"/>; while leading, runs <paramref name="lead"/> with a
    /// token cancelled when leadership is lost.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        if (RenewDeadline >= LeaseDuration)
        {
            throw new ArgumentException($"RenewDeadline ({RenewDeadline}) must be shorter than LeaseDuration ({LeaseDuration}).");
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            var attempt = timeProvider.GetTimestamp();
            if (!await TryAcquireOrRenewAsync(RenewDeadline, cancellationToken))
            {
                await DelayAsync(RetryPeriod, cancellationToken);
                continue;
            }

            IsLeader = true;
            LogStarted(logger, identity, leaseName);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var work = lead(leading.Token);
            var lastRenewal = attempt;
            while (!cancellationToken.IsCancellationRequested && !work.IsCompleted)
            {
                await DelayAsync(RetryPeriod, cancellationToken);
                var left = RenewDeadline - timeProvider.GetElapsedTime(lastRenewal);
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                attempt = timeProvider.GetTimestamp();
                if (await TryAcquireOrRenewAsync(left, cancellationToken))
                {
                    lastRenewal = attempt;
                }
                else if (timeProvider.GetElapsedTime(lastRenewal) >= RenewDeadline)
                {
                    break;
                }
            }

            // Stop the work before anything else: past the renew deadline another replica may soon take the Lease.
            await leading.CancelAsync();
            await work.ContinueWith(_ => { }, TaskScheduler.Default);
            IsLeader = false;
            if (cancellationToken.IsCancellationRequested)
            {
                LogStopped(logger, identity, leaseName);
                await ReleaseAsync();
            }
            else
            {
                LogLost(logger, identity, leaseName, RenewDeadline.TotalSeconds);
            }
        }
    }

    /// <summary>One attempt to take or renew the Lease, ending within <paramref name="timeout"/>. False on any failure.</summary>
    private async Task<bool> TryAcquireOrRenewAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        try
        {
            var lease = await ReadAsync(attempt.Token);
            if (lease is null)
            {
                await client.WriteAsync((api, t) => api.CoordinationV1.CreateNamespacedLeaseAsync(NewLease(), ns, cancellationToken: t), attempt.Token);
                return true;
            }

            var spec = lease.Spec ??= new V1LeaseSpec();
            var holder = spec.HolderIdentity;
            var duration = TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? (int)LeaseDuration.TotalSeconds);
            Observe(string.Join('|', holder, Format(spec.RenewTime), Format(spec.AcquireTime), spec.LeaseTransitions));
            if (!string.IsNullOrEmpty(holder) && holder != identity && timeProvider.GetElapsedTime(_observedAt) < duration)
            {
                return false;
            }

            var now = timeProvider.GetUtcNow().UtcDateTime;
            if (holder != identity)
            {
                spec.AcquireTime = now;
                spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
            }

            spec.HolderIdentity = identity;
            spec.LeaseDurationSeconds = (int)LeaseDuration.TotalSeconds;
            spec.RenewTime = now;
            await ReplaceAsync(lease, attempt.Token);
            return true;
        }
        catch (Exception e) when (e is ClusterApiException or HttpRequestException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogAttemptFailed(logger, identity, leaseName, e.Message);
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Remembers when this replica first saw the Lease's record as it is now (client-go's observedTime).</summary>
    private void Observe(string record)
    {
        if (record != _observedRecord)
        {
            _observedRecord = record;
            _observedAt = timeProvider.GetTimestamp();
        }
    }

    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(RenewDeadline);
        try
        {
            var lease = await ReadAsync(timeout.Token);
            if (lease?.Spec is { } spec && spec.HolderIdentity == identity)
            {
                spec.HolderIdentity = null;
                spec.RenewTime = null;
                await ReplaceAsync(lease, timeout.Token);
            }
        }
        catch (Exception e) when (e is ClusterApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            LogReleaseFailed(logger, leaseName, e.Message);
        }
    }

    private Task<V1Lease?> ReadAsync(CancellationToken cancellationToken) =>
        client.ReadAsync((api, t) => api.CoordinationV1.ReadNamespacedLeaseAsync(leaseName, ns, cancellationToken: t), cancellationToken);

    /// <summary>A replace carries the resourceVersion read, so it fails with 409 when another replica wrote meanwhile.</summary>
    private Task ReplaceAsync(V1Lease lease, CancellationToken cancellationToken) =>
        client.WriteAsync((api, t) => api.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, leaseName, ns, cancellationToken: t), cancellationToken);

    private V1Lease NewLease()
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        return new V1Lease
        {
            ApiVersion = "coordination.k8s.io/v1",
            Kind = "Lease",
            Metadata = new V1ObjectMeta { Name = leaseName, NamespaceProperty = ns },
            Spec = new V1LeaseSpec
            {
                HolderIdentity = identity,
                LeaseDurationSeconds = (int)LeaseDuration.TotalSeconds,
                AcquireTime = now,
                RenewTime = now,
                LeaseTransitions = 0,
            },
        };
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, timeProvider, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The loop condition ends the campaign.
        }
    }

    private static string Format(DateTime? time) => time?.ToString("O", CultureInfo.InvariantCulture) ?? string.Empty;

    [LoggerMessage(EventId = 5300, Level = LogLevel.Information, Message = "{Identity} became the leader (Lease {Lease})")]
    private static partial void LogStarted(ILogger logger, string identity, string lease);

    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "{Identity} stopped leading (Lease {Lease})")]
    private static partial void LogStopped(ILogger logger, string identity, string lease);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Warning, Message = "Could not release Lease {Lease}: {Reason}")]
    private static partial void LogReleaseFailed(ILogger logger, string lease, string reason);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Warning, Message = "{Identity} lost Lease {Lease}: no renewal succeeded within {Seconds}s; work stopped")]
    private static partial void LogLost(ILogger logger, string identity, string lease, double seconds);

    [LoggerMessage(EventId = 5304, Level = LogLevel.Warning, Message = "{Identity} could not take or renew Lease {Lease}: {Reason}")]
    private static partial void LogAttemptFailed(ILogger logger, string identity, string lease, string reason);
}
