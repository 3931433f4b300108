using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp;
using UNetSharp.Cli.Commands;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("unetsharp");
    config.PropagateExceptions();
    config.AddCommand<InfoCommand>("info").WithDescription("Parameters and GFLOPs of a network at every pruned depth.")
        .WithExample("info", "--arch", "unet#", "--dims", "2", "--in-channels", "3", "--classes", "1", "--json");
    config.AddBranch("bench", bench =>
    {
        bench.SetDescription("Benchmarks (results written to files).");
        bench.AddCommand<BenchModelCommand>("model").WithDescription("Forward and training-step speed per architecture and depth against GEMM/conv references.");
    });
});

try
{
    return app.Run(args);
}
catch (UNetSharpException e)
{
    // Bad input a user can fix: one line, no stack trace.
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
catch (CommandAppException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
