using System.Diagnostics;
using K8sCache.Sidecar.Telemetry;

namespace K8sCache.Sidecar.Node;

/// <summary>
/// The bookkeeping around a group's Gets and loads, kept beside the read path rather than in it: each Get's duration by
/// outcome (<see cref="GetLatency"/>; a hit only when sampled) and, when a tracer listens, its span's group, outcome
/// and error; each load's duration (<see cref="SidecarInstruments.LoadDuration"/>).
/// </summary>
internal sealed class GetObserver(string group, GetLatency latency)
{
    // Indexes in GetLatency.Outcomes.
    public const int HitOutcome = 0;
    private const int HotHitOutcome = 1;
    private const int PeerOutcome = 2;
    private const int LoadOutcome = 3;
    private const int NotFoundOutcome = 4;
    private const int ErrorOutcome = 5;

    /// <summary>Records a Get's duration by outcome (a hit only when sampled: <paramref name="started"/> is 0 otherwise)
    /// and ends its span, if traced, with its group and outcome.</summary>
    public void Finish(Activity? span, long started, GetResult result, bool sampledHit = false)
    {
        var outcome = OutcomeOf(result);
        if (sampledHit)
        {
            latency.RecordHit(started, outcome);
        }
        else
        {
            latency.Record(started, outcome);
        }

        if (span is not null)
        {
            span.SetTag(SidecarTracing.GroupTag, group);
            span.SetTag(SidecarTracing.OutcomeTag, GetLatency.Outcomes[outcome]);
            span.Dispose();
        }
    }

    /// <summary>Finishes the Get when its fetch or load completes, an exception as the error outcome.</summary>
    public async ValueTask<GetResult> FinishWhenDoneAsync(Task<GetResult> task, Activity? span, long started)
    {
        try
        {
            var result = await task;
            Finish(span, started, result);
            return result;
        }
        catch (Exception e)
        {
            latency.Record(started, ErrorOutcome);
            if (span is not null)
            {
                span.SetTag(SidecarTracing.GroupTag, group);
                span.SetTag(SidecarTracing.OutcomeTag, GetLatency.Outcomes[ErrorOutcome]);
                span.SetStatus(ActivityStatusCode.Error, e.Message);
                span.Dispose();
            }

            throw;
        }
    }

    public void RecordLoad(long started, string outcome) => SidecarInstruments.LoadDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
        new KeyValuePair<string, object?>("group", group), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>The outcome's index in <see cref="GetLatency.Outcomes"/>.</summary>
    private static int OutcomeOf(GetResult result) => !result.Found ? NotFoundOutcome : result.Source switch
    {
        CacheSource.Hit => HitOutcome,
        CacheSource.Hot => HotHitOutcome,
        CacheSource.Peer => PeerOutcome,
        _ => LoadOutcome,
    };
}
