using System.Reflection;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Cli.Commands;

namespace UNetSharp.Cli;

/// <summary>
/// The `unetsharp` command tree and its one exception → exit-code mapping. Program.cs runs it on the process console;
/// tests run it in-process with their own writers (help for every command, argument fuzzing).
/// </summary>
public static class CliApp
{
    /// <summary>Exit codes, as documented in the README's "Exit codes" table.</summary>
    public const int Success = 0, EnvironmentFailure = 1, BadInput = 2, Partial = 3, Interrupted = 130;

    public const string Name = "unetsharp";

    /// <summary>The tool's version: the assembly's informational version without the source-revision suffix.</summary>
    public static string Version { get; } =
        (typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    /// <summary>Every command: its path ("bench predict") and settings type (for did-you-mean and the help test).</summary>
    public static IReadOnlyList<(string Path, Type Settings)> Commands { get; } =
    [
        ("info", typeof(InfoCommand.Settings)), ("train", typeof(TrainCommand.Settings)), ("demo", typeof(DemoCommand.Settings)),
        ("predict", typeof(PredictCommand.Settings)), ("export", typeof(ExportCommand.Settings)), ("evaluate", typeof(EvaluateCommand.Settings)),
        ("experiment", typeof(ExperimentCommand.Settings)), ("data check", typeof(DataCheckCommand.Settings)), ("check", typeof(CheckCommand.Settings)), ("serve", typeof(ServeCommand.Settings)),
        ("bench loader", typeof(BenchLoaderCommand.Settings)), ("bench predict", typeof(BenchPredictCommand.Settings)), ("bench model", typeof(BenchModelCommand.Settings)),
        ("bench serve", typeof(BenchServeCommand.Settings)), ("bench memory", typeof(BenchMemoryCommand.Settings)),
        ("bench ensemble", typeof(BenchEnsembleCommand.Settings)),
    ];

    public static IReadOnlyList<string> Branches { get; } = ["data", "bench"];

    public static void Configure(IConfigurator config)
    {
        config.SetApplicationName(Name);
        config.SetApplicationVersion(Version);
        config.PropagateExceptions();
        config.UseStrictParsing();
        config.SetInterceptor(new NoRemainingArguments());
        config.AddCommand<InfoCommand>("info").WithDescription("Parameters and GFLOPs of a network at every pruned depth.")
            .WithExample("info", "--arch", "unet#", "--dims", "2", "--in-channels", "3", "--classes", "1", "--json")
            .WithExample("info", "--arch", "unet++", "--dims", "3", "--widths", "16,32,64", "--depth", "2", "--size", "64");
        config.AddCommand<TrainCommand>("train").WithDescription("Plan, train, evaluate every pruned depth; writes a run folder.")
            .WithExample("train", "--data", "../shared/data/isbi2012-em", "--out", "runs/isbi", "--epochs", "40")
            .WithExample("train", "--config", "run.yaml", "--seed", "2");
        config.AddCommand<DemoCommand>("demo").WithDescription("Train and evaluate a small UNet# on synthetic cells; writes metrics, curves and overlays.")
            .WithExample("demo")
            .WithExample("demo", "--out", "demo-run", "--epochs", "8", "--size", "48");
        config.AddCommand<PredictCommand>("predict").WithDescription("Label maps for an image or a folder of images (NIfTI, PNG, TIFF, a DICOM series folder) with a trained model.")
            .WithExample("predict", "--model", "runs/spleen", "--input", "scans/", "--out", "masks/", "--depth", "2")
            .WithExample("predict", "--model", "runs/isbi", "--input", "slice.png", "--out", "pred/", "--tta", "--overlays")
            .WithExample("predict", "--model", "isbi-l2.onnx", "--input", "slices/", "--out", "pred/", "--threads", "1")
            .WithExample("predict", "--model", "runs/cv", "--input", "scans/", "--out", "masks/", "--tta", "--shard", "auto", "--skip-existing");
        config.AddCommand<ExportCommand>("export").WithDescription("A trained network, pruned to one depth, as an ONNX model (checked against TorchSharp with ONNX Runtime).")
            .WithExample("export", "--model", "runs/spleen", "--out", "spleen.onnx", "--depth", "2", "--size", "256x256")
            .WithExample("export", "--model", "runs/isbi", "--out", "isbi-l1-int8.onnx", "--depth", "1", "--int8");
        config.AddCommand<EvaluateCommand>("evaluate").WithDescription("Score a folder of predictions against a folder of references (Dice, IoU, HD95, ASSD; PQ/AJI with --instances).")
            .WithExample("evaluate", "--pred", "pred/", "--ref", "../shared/data/isbi2012-em/labels", "--json");
        config.AddCommand<ExperimentCommand>("experiment").WithDescription("Architectures x data sets x seeds at one step budget: results.csv, summary (mean ± sd, Wilcoxon), report.html; resumable.")
            .WithExample("experiment", "--config", "exp.yaml", "--threads", "1");
        config.AddBranch("data", data =>
        {
            data.SetDescription("Data set tools.");
            data.AddCommand<DataCheckCommand>("check").WithDescription("Load every case once and report shapes, spacings, classes and problems.")
                .WithExample("data", "check", "--data", "../shared/data/msd-hippocampus");
        });
        config.AddCommand<CheckCommand>("check").WithDescription("Check that a run folder is one run: plan.json, config.json, splits.json, inference.json and checkpoints agree.")
            .WithExample("check", "runs/isbi")
            .WithExample("check", "runs/cv", "--data", "../shared/data/isbi2012-em");
        config.AddCommand<ServeCommand>("serve").WithDescription("A segmentation web service with a viewer page (POST /v1/segment; docs/SERVE.md): predict's service, TorchSharp or ONNX Runtime.")
            .WithExample("serve", "--model", "runs/isbi", "--port", "8080", "--token-file", "token.txt");
        config.AddBranch("bench", bench =>
        {
            bench.SetDescription("Benchmarks (results written to files).");
            bench.AddCommand<BenchLoaderCommand>("loader").WithDescription("Patch-loader throughput per data set against the UNet# training-step rate.")
                .WithExample("bench", "loader", "--data", "../shared/data/isbi2012-em", "--batches", "10");
            bench.AddCommand<BenchPredictCommand>("predict").WithDescription("Prediction latency per depth, TTA, BN folding and threads; CT-size volume memory.")
                .WithExample("bench", "predict", "--depths", "1,2", "--dims", "2", "--size", "256")
                .WithExample("bench", "predict", "--engine", "torch,onnx,onnx-int8", "--sizes", "256,512", "--threads", "1,2", "--out", "bench-deploy.json");
            bench.AddCommand<BenchServeCommand>("serve").WithDescription("Load test of `serve`: 8 clients, 256x256 PNGs at L1 and L4; latency percentiles, throughput, RSS, ratio to in-process.")
                .WithExample("bench", "serve", "--requests", "100", "--depths", "1,4");
            bench.AddCommand<BenchEnsembleCommand>("ensemble").WithDescription("A k-fold ensemble against one model at the same total step budget, scored on seeded held-out test cases (results.json/.csv).")
                .WithExample("bench", "ensemble", "--data", "../shared/data/isbi2012-em", "--out", "runs/ens", "--config", "isbi.yaml", "--iterations", "240", "--folds", "3", "--threads", "1");
            bench.AddCommand<BenchModelCommand>("model").WithDescription("Forward and training-step speed per architecture and depth against GEMM/conv references.")
                .WithExample("bench", "model", "--size", "256", "--batch", "4", "--archs", "unet#");
            bench.AddCommand<BenchMemoryCommand>("memory").WithDescription("The planner's training-memory estimate against the measured peak RSS of real training steps (calibration).")
                .WithExample("bench", "memory", "--threads", "1", "--out", "bench-memory.json");
        });
    }

    /// <summary>Runs one command line; bad input prints one `error: ...` line. Exceptions that are none of the expected
    /// kinds propagate (a bug to fix, not an answer to give).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        bool processConsole = ReferenceEquals(stdout, Console.Out);
        var previous = AnsiConsole.Console;
        if (!processConsole) AnsiConsole.Console = InProcess.Console;
        else RedirectedWidth.Apply(AnsiConsole.Console);
        using var output = CliOutput.Redirect(stdout, stderr);
        try
        {
            if (args is ["--version"] or ["-v"])
            {
                stdout.WriteLine($"{Name} {Version}");
                return Success;
            }
            args = UNetSharp.Cli.Commands.PredictCommand.ExpandModelList(args);
            return NewApp(processConsole ? previous : InProcess.Console).Run(args);
        }
        catch (UNetSharpException e) { return Fail(stderr, e.Message, BadInput); }
        catch (CommandAppException e) { return Fail(stderr, ArgumentErrors.Explain(e, args), BadInput); }
        catch (OperationCanceledException) { return Fail(stderr, "interrupted", Interrupted); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Fail(stderr, e.Message, EnvironmentFailure); }
        finally
        {
            if (!processConsole) AnsiConsole.Console = previous;
        }
    }

    static CommandApp NewApp(IAnsiConsole console)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            Configure(config);
            config.ConfigureConsole(console);
        });
        return app;
    }

    /// <summary>In-process runs share one plain console that writes to the caller's stdout through <see cref="CliOutput"/>,
    /// which is async-local: concurrent runs (parallel tests) keep their outputs apart.</summary>
    static class InProcess
    {
        public static readonly IAnsiConsole Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(new ForwardingWriter()),
        });

        static InProcess() => Console.Profile.Width = 200;
    }

    /// <summary>Writes to whatever <see cref="CliOutput.Out"/> is for the current run.</summary>
    sealed class ForwardingWriter : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
        public override void Write(char value) => CliOutput.Out.Write(value);
        public override void Write(string? value) => CliOutput.Out.Write(value);
        public override void WriteLine(string? value) => CliOutput.Out.WriteLine(value);
        public override void Flush() => CliOutput.Out.Flush();
    }

    static int Fail(TextWriter stderr, string message, int code)
    {
        stderr.WriteLine($"error: {OneLine(message)}");
        return code;
    }

    /// <summary>A message as one readable line (no binary from a corrupt file, no stack of lines), cut if very long.</summary>
    public static string OneLine(string message) => UNetSharpException.OneLine(message, 500);
}
