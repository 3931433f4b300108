using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace UNetSharp.Data.Sampling;

/// <summary>
/// Builds batches on background threads and hands them out in order, so training does not wait on loading and
/// augmentation. Worker w of W builds global batches start + w, start + w + W, ... into its own bounded queue and
/// the consumer reads the queues round-robin, so the sequence is the same for any worker count or prefetch
/// depth. A worker's exception is rethrown (same exception) by <see cref="Next"/> at the batch it failed on.
/// Single consumer: call <see cref="Next"/> from one thread at a time.
/// </summary>
public sealed class PatchLoader : IDisposable
{
    private readonly BatchBuilder _builder;
    private readonly LoaderOptions _options;
    private readonly long _startGlobal;
    private readonly BlockingCollection<Result>[] _queues;
    private readonly Thread[] _workers;
    private readonly CancellationTokenSource _stop = new();
    private long _nextGlobal;
    private ExceptionDispatchInfo? _fault;
    private bool _disposed;

    public PatchLoader(ICaseSource source, LoaderOptions options, LoaderPosition start = default)
    {
        _builder = new BatchBuilder(source, options);
        _options = options;
        if (start.Epoch < 0 || start.Batch < 0 || start.Batch >= options.BatchesPerEpoch)
            throw new ConfigurationException($"loader position {start} is outside an epoch of {options.BatchesPerEpoch} batches");
        _startGlobal = _nextGlobal = start.Global(options.BatchesPerEpoch);
        int capacity = Math.Max(1, (options.PrefetchDepth + options.Workers - 1) / options.Workers);
        _queues = [.. Enumerable.Range(0, options.Workers).Select(_ => new BlockingCollection<Result>(capacity))];
        _workers = [.. Enumerable.Range(0, options.Workers).Select(w => new Thread(() => Work(w)) { IsBackground = true, Name = $"UNetSharp loader {w}" })];
        foreach (var t in _workers) t.Start();
    }

    /// <summary>Position of the batch the next call to <see cref="Next"/> returns; resume from it with the constructor.</summary>
    public LoaderPosition Position => LoaderPosition.FromGlobal(_nextGlobal, _options.BatchesPerEpoch);

    /// <summary>True while any worker thread is alive (false after <see cref="Dispose"/>).</summary>
    public bool IsRunning => _workers.Any(t => t.IsAlive);

    /// <summary>Blocks until the next batch is ready; the caller disposes it.</summary>
    public Batch Next()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _fault?.Throw();
        var queue = _queues[(_nextGlobal - _startGlobal) % _queues.Length];
        var result = queue.Take(_stop.Token);
        if (result.Fault is { } fault)
        {
            _fault = fault;
            fault.Throw();
        }
        _nextGlobal++;
        return result.Batch!;
    }

    /// <summary>The remaining batches of the current epoch, in order.</summary>
    public IEnumerable<Batch> ReadEpoch()
    {
        int epoch = Position.Epoch;
        while (Position.Epoch == epoch) yield return Next();
    }

    private void Work(int worker)
    {
        var queue = _queues[worker];
        try
        {
            for (long g = _startGlobal + worker; !_stop.IsCancellationRequested; g += _queues.Length)
            {
                Result result;
                try { result = new Result(_builder.Build(LoaderPosition.FromGlobal(g, _options.BatchesPerEpoch)), null); }
                catch (Exception e) { result = new Result(null, ExceptionDispatchInfo.Capture(e)); }
                try { queue.Add(result, _stop.Token); }
                catch (OperationCanceledException) { result.Batch?.Dispose(); return; }
                if (result.Fault is not null) return; // the consumer rethrows it; nothing after it can be used
            }
        }
        finally { queue.CompleteAdding(); }
    }

    /// <summary>Stops and joins the workers and frees the batches still queued.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        foreach (var t in _workers) t.Join();
        foreach (var q in _queues)
        {
            while (q.TryTake(out var r)) r.Batch?.Dispose();
            q.Dispose();
        }
        _stop.Dispose();
    }

    private sealed record Result(Batch? Batch, ExceptionDispatchInfo? Fault);
}
