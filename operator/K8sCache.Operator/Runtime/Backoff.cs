namespace K8sCache.Operator.Runtime;

/// <summary>Capped exponential backoff with jitter: base × 2^failures, at most <see cref="Max"/>, then ±20% at random
/// so many keys failing together do not retry in lockstep.</summary>
internal sealed record Backoff(TimeSpan Base, TimeSpan Max)
{
    public static Backoff Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(5));

    public TimeSpan Delay(int failures, Random random)
    {
        var exponent = Math.Min(failures, 30);
        var ms = Math.Min(Base.TotalMilliseconds * Math.Pow(2, exponent), Max.TotalMilliseconds);
        var jitter = 0.8 + 0.4 * random.NextDouble();
        return TimeSpan.FromMilliseconds(Math.Min(ms * jitter, Max.TotalMilliseconds));
    }
}
