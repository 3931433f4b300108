using System.Collections.Concurrent;

namespace UNetSharp.Serve;

/// <summary>
/// One long-lived thread that runs a worker's inferences one after another. Keeping each network on its own thread
/// keeps TorchSharp's thread-local state (dispose scopes, grad mode) in one place and lets glibc serve its native
/// allocations from one heap arena, so resident memory stays flat instead of growing an arena per thread-pool thread.
/// </summary>
sealed class WorkerThread : IDisposable
{
    readonly BlockingCollection<Action> work = new();
    readonly Thread thread;

    public WorkerThread(string name)
    {
        thread = new Thread(() => { foreach (var action in work.GetConsumingEnumerable()) action(); }) { IsBackground = true, Name = name };
        thread.Start();
    }

    public Task<T> Run<T>(Func<T> job)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Add(() =>
        {
            try { result.SetResult(job()); }
            catch (Exception e) { result.SetException(e); }
        });
        return result.Task;
    }

    public void Dispose()
    {
        work.CompleteAdding();
        if (Thread.CurrentThread != thread) thread.Join();
        work.Dispose();
    }
}
