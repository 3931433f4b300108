using UNetSharp.Inference;

namespace UNetSharp.Cli.Commands;

/// <summary>A --threads flag applied for one command only: the process-wide torch setting is restored afterwards
/// (the CLI also runs in-process, inside tests).</summary>
public static class TorchThreads
{
    public static int While(int? threads, Func<int> run)
    {
        if (threads is null) return run();
        int previous = InferenceThreads.Current;
        InferenceThreads.Set(threads.Value);
        try { return run(); }
        finally { InferenceThreads.Set(previous); }
    }
}
