using System.Globalization;
using System.Text.Json.Nodes;
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
/// </summary>
internal sealed partial class LeaderElector(
    KubernetesClient client, string ns, string leaseName, string identity, TimeProvider timeProvider, ILogger logger)
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
            var lease = await client.GetAsync(ResourceType.Leases, ns, leaseName, attempt.Token);
            if (lease is null)
            {
                await client.CreateAsync(ResourceType.Leases, ns, NewLease(), attempt.Token);
                return true;
            }

            var spec = lease["spec"] as JsonObject ?? new JsonObject();
            var holder = (string?)spec["holderIdentity"];
            var duration = TimeSpan.FromSeconds((int?)spec["leaseDurationSeconds"] ?? (int)LeaseDuration.TotalSeconds);
            Observe($"{holder}|{spec["renewTime"]}|{spec["acquireTime"]}|{spec["leaseTransitions"]}");
            if (!string.IsNullOrEmpty(holder) && holder != identity && timeProvider.GetElapsedTime(_observedAt) < duration)
            {
                return false;
            }

            var now = FormatTime(timeProvider.GetUtcNow());
            if (holder != identity)
            {
                spec["acquireTime"] = now;
                spec["leaseTransitions"] = ((int?)spec["leaseTransitions"] ?? 0) + 1;
            }

            spec["holderIdentity"] = identity;
            spec["leaseDurationSeconds"] = (int)LeaseDuration.TotalSeconds;
            spec["renewTime"] = now;
            lease["spec"] = spec;
            await client.ReplaceAsync(ResourceType.Leases, ns, leaseName, lease, attempt.Token);
            return true;
        }
        catch (Exception e) when (e is KubernetesException or HttpRequestException or IOException
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
            var lease = await client.GetAsync(ResourceType.Leases, ns, leaseName, timeout.Token);
            if (lease?["spec"] is JsonObject spec && (string?)spec["holderIdentity"] == identity)
            {
                spec["holderIdentity"] = null;
                spec["renewTime"] = null;
                await client.ReplaceAsync(ResourceType.Leases, ns, leaseName, lease, timeout.Token);
            }
        }
        catch (Exception e) when (e is KubernetesException or HttpRequestException or IOException or OperationCanceledException)
        {
            LogReleaseFailed(logger, leaseName, e.Message);
        }
    }

    private JsonObject NewLease()
    {
        var now = FormatTime(timeProvider.GetUtcNow());
        return new JsonObject
        {
            ["apiVersion"] = "coordination.k8s.io/v1",
            ["kind"] = "Lease",
            ["metadata"] = new JsonObject { ["name"] = leaseName, ["namespace"] = ns },
            ["spec"] = new JsonObject
            {
                ["holderIdentity"] = identity,
                ["leaseDurationSeconds"] = (int)LeaseDuration.TotalSeconds,
                ["acquireTime"] = now,
                ["renewTime"] = now,
                ["leaseTransitions"] = 0,
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

    /// <summary>MicroTime, as Lease fields carry it.</summary>
    private static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);

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
