namespace K8sCache.Operator.Tests.Fixtures;

/// <summary>An HTTP handler whose connection to the API server the test can cut, as a crashed or partitioned operator
/// replica would lose it: every request then fails at once.</summary>
public sealed class CuttableHandler() : DelegatingHandler(new SocketsHttpHandler { UseProxy = false })
{
    public volatile bool Cut;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Cut ? throw new HttpRequestException("connection cut by the test") : base.SendAsync(request, cancellationToken);
}
