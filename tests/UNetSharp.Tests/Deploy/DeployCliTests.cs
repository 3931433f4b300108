using System.Text.Json;
using UNetSharp.Cli;
using UNetSharp.Prediction;
using UNetSharp.Tests.Inference.Jobs;
using UNetSharp.Tests.Models;

namespace UNetSharp.Tests.Deploy;

/// <summary>The deployment flags of `unetsharp predict`: an ensemble as `--model A B`, shards, engines; bad values exit 2 and write nothing.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class DeployCliTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-deploy-cli-").FullName;
    readonly StringWriter stdout = new(), stderr = new();

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    int Cli(params string[] args) => CliApp.Run(args, stdout, stderr);

    [Fact]
    public void SeveralModelsAfterOneModelFlagAreAnEnsembleAndTheOnnxEngineRunsARunFolder()
    {
        string a = PredictionTestFiles.RunFolder(Dir("a"), TinyNets.Config(dims: 2, depth: 2), [16, 16]);
        string b = PredictionTestFiles.RunFolder(Dir("b"), TinyNets.Config(arch: "unet", dims: 2, depth: 2), [16, 16], seed: 5);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 20, 24);

        Assert.Equal(0, Cli("predict", "--model", a, b, "--input", input, "--out", Dir("out"), "--tta"));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir("out"), PredictionJobReport.FileName)));
        Assert.Equal(2, summary.RootElement.GetProperty("models").GetArrayLength());
        Assert.Contains("ensemble of 2 models", stdout.ToString());

        Assert.Equal(0, Cli("predict", "--model", a, "--engine", "onnx", "--input", input, "--out", Dir("onnx"), "--threads", "1"));
        Assert.True(File.Exists(Path.Combine(Dir("onnx"), "a.png")));
        using var onnx = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir("onnx"), PredictionJobReport.FileName)));
        Assert.Equal("onnxruntime", onnx.RootElement.GetProperty("engine").GetString());
    }

    [Theory]
    [InlineData("--shard", "3/2", "error: --shard 3/2: shard '3/2': the index is 0-based and must be below the count")]
    [InlineData("--shard", "0/0", "error: --shard 0/0: shard '0/0': the count must be at least 1")]
    [InlineData("--shard", "half", "error: --shard half: shard 'half': expected INDEX/COUNT")]
    [InlineData("--engine", "tensorrt", "error: --engine must be torch or onnx, got 'tensorrt'")]
    public void ABadShardOrEngineExitsTwoAndWritesNothing(string flag, string value, string message)
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), TinyNets.Config(dims: 2, depth: 2), [16, 16]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 16, 16);
        Assert.Equal(CliApp.BadInput, Cli("predict", "--model", run, "--input", input, "--out", Dir("out"), flag, value));
        Assert.StartsWith(message, stderr.ToString());
        Assert.False(Directory.Exists(Dir("out")));
    }

    [Fact]
    public void ExportInt8CalibratesOnImagesAndPredictRunsTheQuantisedModel()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), TinyNets.Config(dims: 2, depth: 2), [16, 16]);
        string inDir = Directory.CreateDirectory(Dir("in")).FullName;
        PredictionTestFiles.WritePng(Path.Combine(inDir, "a.png"), 20, 24);
        PredictionTestFiles.WritePng(Path.Combine(inDir, "b.png"), 32, 32, seed: 3);
        string model = Dir("model-int8.onnx");

        // no config.json in this run folder: the default calibration source is missing, named, nothing written
        Assert.Equal(CliApp.BadInput, Cli("export", "--model", run, "--out", model, "--int8"));
        Assert.Contains("config.json", stderr.ToString());
        Assert.False(File.Exists(model));

        Assert.Equal(0, Cli("export", "--model", run, "--out", model, "--int8", "--calibration", inDir, "--calibration-patches", "4"));
        Assert.Contains("int8 vs float on the calibration patches: same class on", stdout.ToString());
        Assert.Equal(0, Cli("predict", "--model", model, "--input", inDir, "--out", Dir("out")));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir("out"), PredictionJobReport.FileName)));
        Assert.Equal("onnxruntime-int8", summary.RootElement.GetProperty("engine").GetString());
        Assert.True(File.Exists(Path.Combine(Dir("out"), "b.png")));
    }

    [Fact]
    public void BenchPredictPerEngineWritesJsonAndCsvWithSizesAndIntegerKernels()
    {
        string json = Dir("bench.json");
        Assert.Equal(0, Cli("bench", "predict", "--engine", "torch,onnx,onnx-int8", "--sizes", "32", "--depths", "1", "--threads", "1", "--repeats", "1", "--out", json));
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var rows = report.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["torch", "onnx", "onnx-int8"], rows.Select(r => r.GetProperty("engine").GetString()));
        Assert.All(rows, r => Assert.True(r.GetProperty("median_ms").GetDouble() > 0));
        long fp32 = rows[1].GetProperty("model_bytes").GetInt64(), int8 = rows[2].GetProperty("model_bytes").GetInt64();
        Assert.InRange(int8, fp32 / 5, fp32 / 3);   // int8 weights: about a quarter of the float file
        Assert.True(rows[2].GetProperty("integer_convolutions").GetInt32() > 0);
        Assert.Equal(4, File.ReadAllLines(Path.ChangeExtension(json, ".csv")).Length);
        Assert.Contains("--engine tensorrt: engine 'tensorrt'", Cli("bench", "predict", "--engine", "tensorrt", "--out", json) == 2 ? stderr.ToString() : "");
    }
}
