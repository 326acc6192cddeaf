using System.Net;
using System.Text;

namespace K8sCache.Operator.Tests.Fixtures;

/// <summary>
/// One operator replica's connection to the API server, with the faults a real one meets, injected by the test:
/// <see cref="Cut"/> (every request fails at once, as for a crashed or partitioned replica), <see cref="Stall"/> (requests
/// are sent and never answered, as on a half-open connection), and <see cref="LeaseStatus"/> (the API server answers
/// Lease requests with that status: 403 after an RBAC change, 429 under priority-and-fairness, 404 after a deletion).
/// Counts Lease requests, so a test can wait for a replica to have looked at the Lease.
/// </summary>
public sealed class FaultInjectingHandler : DelegatingHandler
{
    private int _leaseRequests;

    public volatile bool Cut;

    public volatile bool Stall;

    /// <summary>0: Lease requests pass; else the status every Lease request gets.</summary>
    public volatile int LeaseStatus;

    public int LeaseRequests => Volatile.Read(ref _leaseRequests);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var lease = request.RequestUri?.AbsolutePath.Contains("/leases", StringComparison.Ordinal) == true;
        if (lease)
        {
            Interlocked.Increment(ref _leaseRequests);
        }

        if (Cut)
        {
            throw new HttpRequestException("connection cut by the test");
        }

        if (Stall)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (lease && LeaseStatus is var status and not 0)
        {
            var body = $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"injected by the test","reason":"Injected","code":{{status}}}""";
            return new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json"), RequestMessage = request };
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
