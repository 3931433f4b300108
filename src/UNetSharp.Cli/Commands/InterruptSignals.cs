using System.Runtime.InteropServices;

namespace UNetSharp.Cli.Commands;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM during a long command: the first one cancels <see cref="Token"/>, so the trainer stops
/// between two steps and saves last.ckpt; a second one takes the default action and ends the process at once.
/// </summary>
public sealed class InterruptSignals : IDisposable
{
    /// <summary>Exit code of a command stopped by a signal (128 + SIGINT, as shells report it).</summary>
    public const int ExitCode = 130;

    readonly CancellationTokenSource source;
    readonly PosixSignalRegistration[] registrations;
    int signals;

    public InterruptSignals(CancellationToken outer = default)
    {
        source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    public CancellationToken Token => source.Token;

    /// <summary>A signal arrived (as opposed to a cancellation from elsewhere).</summary>
    public bool Interrupted => Volatile.Read(ref signals) > 0;

    void Handle(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref signals) > 1) return; // second signal: not cancelled, so the process ends now
        context.Cancel = true;
        Console.Error.WriteLine($"{context.Signal}: stopping after the current step and saving last.ckpt (again to quit at once)");
        source.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
        source.Dispose();
    }
}
