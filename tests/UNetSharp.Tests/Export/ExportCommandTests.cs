using Spectre.Console.Cli;
using UNetSharp.Cli.Commands;
using UNetSharp.Onnx;
using UNetSharp.Tests.Inference.Jobs;
using UNetSharp.Tests.Models;

namespace UNetSharp.Tests.Export;

/// <summary>`unetsharp export` from a run folder: the file, its check against TorchSharp, and bad arguments.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class ExportCommandTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-export-cli-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    static int Cli(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.PropagateExceptions();
            config.AddCommand<ExportCommand>("export");
        });
        return app.Run(args);
    }

    [Fact]
    public void RunFolderExportsAtTheRequestedDepthWithProbabilities()
    {
        string run = PredictionTestFiles.RunFolder(Path.Combine(root, "run"), TinyNets.Config("unet#", dims: 2, depth: 2, cgm: true), [32, 32]);
        string output = Path.Combine(root, "out", "model.onnx");

        Assert.Equal(0, Cli("export", "--model", run, "--out", output, "--depth", "1", "--size", "32x32", "--probabilities"));

        using var onnx = new OnnxInference(output);
        Assert.Equal("1", onnx.Metadata["unetsharp.depth"]);
        Assert.Equal("cgm_shallow", onnx.Metadata["unetsharp.presence"]);
        Assert.Equal("best.ckpt", onnx.Metadata["unetsharp.source"]);
        var result = onnx.Run(new float[32 * 32], [1, 1, 32, 32]);
        Assert.NotNull(result.Presence);
        Assert.All(result.Probabilities!, p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public void DefaultDepthIsTheFullDepthWithADynamicSizeAndTheCheckCanBeSkipped()
    {
        string run = PredictionTestFiles.RunFolder(Path.Combine(root, "run"), TinyNets.Config("unet#", dims: 2, depth: 2), [16, 16]);
        string output = Path.Combine(root, "model.onnx");
        Assert.Equal(0, Cli("export", "--model", run, "--out", output, "--no-check"));
        using var onnx = new OnnxInference(output);
        Assert.Equal("2", onnx.Metadata["unetsharp.depth"]);
        Assert.Equal("dynamic", onnx.Metadata["unetsharp.input_size"]);
    }

    [Fact]
    public void BadDepthOrMissingModelFailsWithoutWriting()
    {
        string run = PredictionTestFiles.RunFolder(Path.Combine(root, "run"), TinyNets.Config("unet#", dims: 2, depth: 2), [16, 16]);
        string output = Path.Combine(root, "model.onnx");
        Assert.Throws<ConfigurationException>(() => Cli("export", "--model", run, "--out", output, "--depth", "5"));
        Assert.Throws<DataFormatException>(() => Cli("export", "--model", Path.Combine(root, "nothing"), "--out", output));
        Assert.False(File.Exists(output));
    }
}
