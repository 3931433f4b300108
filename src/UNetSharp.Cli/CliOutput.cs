namespace UNetSharp.Cli;

/// <summary>Where commands print plain lines (JSON, errors): the process console, or the writers an in-process caller
/// passed to <see cref="CliApp.Run"/>. Async-local, so concurrent in-process runs do not mix their outputs.</summary>
public static class CliOutput
{
    static readonly AsyncLocal<TextWriter?> output = new(), error = new();

    public static TextWriter Out => output.Value ?? Console.Out;
    public static TextWriter Error => error.Value ?? Console.Error;

    internal static IDisposable Redirect(TextWriter stdout, TextWriter stderr)
    {
        var (previousOut, previousError) = (output.Value, error.Value);
        output.Value = stdout;
        error.Value = stderr;
        return new Restore(() => { output.Value = previousOut; error.Value = previousError; });
    }

    sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
