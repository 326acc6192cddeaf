namespace K8sCache.Metrics;

/// <summary>A measurement's tags (up to three) as a dictionary key that costs no allocation to build: a histogram
/// recorded on a hot path looks its series up with it. More than three tags fall back to their rendered label text.</summary>
internal readonly record struct SeriesKey(string? Key1, object? Value1, string? Key2, object? Value2, string? Key3, object? Value3, string? Overflow)
{
    public static SeriesKey Of(ReadOnlySpan<KeyValuePair<string, object?>> tags, string? rendered) => tags.Length switch
    {
        0 => default,
        1 => new(tags[0].Key, tags[0].Value, null, null, null, null, null),
        2 => new(tags[0].Key, tags[0].Value, tags[1].Key, tags[1].Value, null, null, null),
        3 => new(tags[0].Key, tags[0].Value, tags[1].Key, tags[1].Value, tags[2].Key, tags[2].Value, null),
        _ => new(null, null, null, null, null, null, rendered),
    };
}
