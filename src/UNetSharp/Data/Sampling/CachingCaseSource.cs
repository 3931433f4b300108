using System.Collections.Concurrent;

namespace UNetSharp.Data.Sampling;

/// <summary>
/// Keeps every case the inner source loads, so each file is read (and preprocessed) once per run. Each index is
/// loaded by one thread at a time; a failed load is not cached, so the next request retries it.
/// </summary>
public sealed class CachingCaseSource(ICaseSource inner) : ICaseSource
{
    private readonly ConcurrentDictionary<int, Lazy<SegmentationCase>> _cache = new();

    public int Count => inner.Count;
    public int CachedCount => _cache.Values.Count(l => l.IsValueCreated);

    public SegmentationCase Load(int index)
    {
        var lazy = _cache.GetOrAdd(index, i => new Lazy<SegmentationCase>(() => inner.Load(i), LazyThreadSafetyMode.ExecutionAndPublication));
        try { return lazy.Value; }
        catch
        {
            _cache.TryRemove(new KeyValuePair<int, Lazy<SegmentationCase>>(index, lazy));
            throw;
        }
    }
}
