using System.Globalization;
using System.Text.Json.Nodes;
using K8sCache.Operator.Kubernetes;

namespace K8sCache.Operator.Runtime;

/// <summary>
/// One active operator among replicas, through a <c>coordination.k8s.io/v1</c> Lease (client-go's algorithm): a
/// candidate takes the Lease when it is free or its holder has not renewed it within <see cref="LeaseDuration"/>; the
/// holder renews every <see cref="RetryPeriod"/> and stops leading if it cannot renew within <see cref="RenewDeadline"/>.
/// Every write carries the Lease's resourceVersion, so two candidates can never both win (one gets 409 Conflict).
/// On shutdown the holder releases the Lease, letting another take over at once.
/// </summary>
internal sealed partial class LeaderElector(
    KubernetesClient client, string ns, string leaseName, string identity, TimeProvider timeProvider, ILogger logger)
{
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    public string Identity => identity;

    /// <summary>True while this instance holds the Lease.</summary>
    public bool IsLeader { get; private set; }

    /// <summary>Campaigns until <paramref name="cancellationToken"/>; while leading, runs <paramref name="lead"/> with a
    /// token cancelled when leadership is lost.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!await TryAcquireOrRenewAsync(cancellationToken))
            {
                await DelayAsync(RetryPeriod, cancellationToken);
                continue;
            }

            IsLeader = true;
            LogStarted(logger, identity, leaseName);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var work = lead(leading.Token);
            var lastRenew = timeProvider.GetUtcNow();
            while (!cancellationToken.IsCancellationRequested && !work.IsCompleted)
            {
                await DelayAsync(RetryPeriod, cancellationToken);
                if (await TryAcquireOrRenewAsync(cancellationToken))
                {
                    lastRenew = timeProvider.GetUtcNow();
                }
                else if (timeProvider.GetUtcNow() - lastRenew > RenewDeadline)
                {
                    break;
                }
            }

            await leading.CancelAsync();
            await work.ContinueWith(_ => { }, TaskScheduler.Default);
            IsLeader = false;
            LogStopped(logger, identity, leaseName);
            if (cancellationToken.IsCancellationRequested)
            {
                await ReleaseAsync();
            }
        }
    }

    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        try
        {
            var lease = await client.GetAsync(ResourceType.Leases, ns, leaseName, cancellationToken);
            if (lease is null)
            {
                await client.CreateAsync(ResourceType.Leases, ns, NewLease(now), cancellationToken);
                return true;
            }

            var spec = lease["spec"] as JsonObject ?? new JsonObject();
            var holder = (string?)spec["holderIdentity"];
            var renewed = ParseTime((string?)spec["renewTime"]);
            var duration = TimeSpan.FromSeconds((int?)spec["leaseDurationSeconds"] ?? (int)LeaseDuration.TotalSeconds);
            var held = !string.IsNullOrEmpty(holder) && holder != identity && renewed is { } r && r + duration > now;
            if (held)
            {
                return false;
            }

            if (holder != identity)
            {
                spec["acquireTime"] = FormatTime(now);
                spec["leaseTransitions"] = ((int?)spec["leaseTransitions"] ?? 0) + 1;
            }

            spec["holderIdentity"] = identity;
            spec["leaseDurationSeconds"] = (int)LeaseDuration.TotalSeconds;
            spec["renewTime"] = FormatTime(now);
            lease["spec"] = spec;
            await client.ReplaceAsync(ResourceType.Leases, ns, leaseName, lease, cancellationToken);
            return true;
        }
        catch (KubernetesException e) when (e.IsConflict || e.Code >= 500)
        {
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task ReleaseAsync()
    {
        try
        {
            var lease = await client.GetAsync(ResourceType.Leases, ns, leaseName, CancellationToken.None);
            if (lease?["spec"] is JsonObject spec && (string?)spec["holderIdentity"] == identity)
            {
                spec["holderIdentity"] = null;
                spec["renewTime"] = null;
                await client.ReplaceAsync(ResourceType.Leases, ns, leaseName, lease, CancellationToken.None);
            }
        }
        catch (KubernetesException e)
        {
            LogReleaseFailed(logger, leaseName, e.Message);
        }
    }

    private JsonObject NewLease(DateTimeOffset now) => new()
    {
        ["apiVersion"] = "coordination.k8s.io/v1",
        ["kind"] = "Lease",
        ["metadata"] = new JsonObject { ["name"] = leaseName, ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["holderIdentity"] = identity,
            ["leaseDurationSeconds"] = (int)LeaseDuration.TotalSeconds,
            ["acquireTime"] = FormatTime(now),
            ["renewTime"] = FormatTime(now),
            ["leaseTransitions"] = 0,
        },
    };

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

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    [LoggerMessage(EventId = 5300, Level = LogLevel.Information, Message = "{Identity} became the leader (Lease {Lease})")]
    private static partial void LogStarted(ILogger logger, string identity, string lease);

    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "{Identity} stopped leading (Lease {Lease})")]
    private static partial void LogStopped(ILogger logger, string identity, string lease);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Warning, Message = "Could not release Lease {Lease}: {Reason}")]
    private static partial void LogReleaseFailed(ILogger logger, string lease, string reason);
}
