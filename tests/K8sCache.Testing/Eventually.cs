namespace K8sCache.Testing;

/// <summary>Waits for an outcome that arrives by itself (a message through a socket, a background write), checking
/// every 10 ms for at most <see cref="TestTimeouts.Default"/>, and fails naming it if it never comes. Never used to
/// wait out a race: those tests force the interleaving.</summary>
public static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, string what) => TrueAsync(() => Task.FromResult(condition()), what);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {TestTimeouts.Default.TotalSeconds} s for {what}");
            }

            await Task.Delay(10);
        }
    }
}
