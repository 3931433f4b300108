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
    config.AddCommand<TrainCommand>("train").WithDescription("Plan, train, evaluate every pruned depth; writes a run folder.")
        .WithExample("train", "--data", "../shared/data/isbi2012-em", "--out", "runs/isbi", "--epochs", "40");
    config.AddCommand<DemoCommand>("demo").WithDescription("Train and evaluate a small UNet# on synthetic cells; writes metrics, curves and overlays.");
    config.AddCommand<PredictCommand>("predict").WithDescription("Label maps for an image or a folder of images (NIfTI, PNG, TIFF) with a trained model.")
        .WithExample("predict", "--model", "runs/spleen", "--input", "scans/", "--out", "masks/", "--depth", "2");
    config.AddCommand<ExportCommand>("export").WithDescription("A trained network, pruned to one depth, as an ONNX model (checked against TorchSharp with ONNX Runtime).")
        .WithExample("export", "--model", "runs/spleen", "--out", "spleen.onnx", "--depth", "2", "--size", "256x256");
    config.AddCommand<EvaluateCommand>("evaluate").WithDescription("Score a folder of predictions against a folder of references (Dice, IoU, HD95, ASSD; PQ/AJI with --instances).");
    config.AddBranch("data", data =>
    {
        data.SetDescription("Data set tools.");
        data.AddCommand<DataCheckCommand>("check").WithDescription("Load every case once and report shapes, spacings, classes and problems.");
    });
    config.AddCommand<ServeCommand>("serve").WithDescription("A segmentation web service with a viewer page (POST /v1/segment; docs/SERVE.md). ONNX models are not served yet.")
        .WithExample("serve", "--model", "runs/isbi", "--port", "8080", "--token-file", "token.txt");
    config.AddBranch("bench", bench =>
    {
        bench.SetDescription("Benchmarks (results written to files).");
        bench.AddCommand<BenchLoaderCommand>("loader").WithDescription("Patch-loader throughput per data set against the UNet# training-step rate.");
        bench.AddCommand<BenchPredictCommand>("predict").WithDescription("Prediction latency per depth, TTA, BN folding and threads; CT-size volume memory.");
        bench.AddCommand<BenchServeCommand>("serve").WithDescription("Load test of `serve`: 8 clients, 256x256 PNGs at L1 and L4; latency percentiles, throughput, RSS, ratio to in-process.");
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
