namespace UNetSharp.Serve;

/// <summary>
/// Admission to the inference workers: at most <c>workers</c> run at once, at most <c>queue</c> more wait; a request
/// beyond that is refused at once (the caller answers 503 with Retry-After) instead of piling up memory and latency.
/// </summary>
public sealed class InferenceGate(int workers, int queue)
{
    readonly SemaphoreSlim slots = new(workers, workers);
    int waiting, running;

    /// <summary>Requests waiting for a worker now.</summary>
    public int Waiting => Volatile.Read(ref waiting);

    /// <summary>Inferences running now.</summary>
    public int Running => Volatile.Read(ref running);

    public int Workers { get; } = workers;
    public int QueueLength { get; } = queue;

    /// <summary>A worker slot (dispose it to free the slot), <see cref="Admission.QueueFull"/> when the queue is full, or
    /// <see cref="Admission.TimedOut"/> when no worker became free within <paramref name="timeout"/>.</summary>
    public async Task<(Admission Result, IDisposable? Slot)> EnterAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        if (slots.Wait(0)) return (Admission.Entered, Started());
        if (Interlocked.Increment(ref waiting) > QueueLength)
        {
            Interlocked.Decrement(ref waiting);
            return (Admission.QueueFull, null);
        }
        bool entered;
        try { entered = await slots.WaitAsync(timeout, cancellation).ConfigureAwait(false); }
        finally { Interlocked.Decrement(ref waiting); }
        return entered ? (Admission.Entered, Started()) : (Admission.TimedOut, null);
    }

    IDisposable Started()
    {
        Interlocked.Increment(ref running);
        return new Slot(this);
    }

    sealed class Slot(InferenceGate gate) : IDisposable
    {
        int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) != 0) return;
            Interlocked.Decrement(ref gate.running);
            gate.slots.Release();
        }
    }
}

public enum Admission { Entered, QueueFull, TimedOut }
