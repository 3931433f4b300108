using System.Net;
using System.Text.Json;
using UNetSharp.Cli.Commands;
using UNetSharp.Instances;
using UNetSharp.IO;
using UNetSharp.Labels;
using UNetSharp.Onnx;
using UNetSharp.Planning;
using UNetSharp.Prediction;
using UNetSharp.Serve;
using UNetSharp.Tests.Deploy;
using UNetSharp.Tests.Inference.Jobs;

namespace UNetSharp.Tests.Serve;

/// <summary>
/// `serve` answers with exactly the file `predict` writes, through the same prediction service: the run's
/// post-processing chosen on cross-validation applied, an instance map for an instance run, and exported ONNX models
/// (plan in their metadata) served by ONNX Runtime. Networks are sharpened (<see cref="DeployNets.Sharpen"/>) so a noise
/// image gives many components: post-processing and decoding have something to do.
/// </summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class ServeEqualsPredictTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-serve-predict-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Directory.CreateDirectory(Path.Combine(root, name)).FullName;

    string NoisePng(int size = 48)
    {
        var rng = new Random(7);
        var noise = Enumerable.Range(0, size * size).Select(_ => (float)rng.Next(0, 256)).ToArray();
        string path = Path.Combine(Dir("in"), "noise.png");
        PngFile.Write(path, new RasterImage(noise, 1, [size, size], 8));
        return path;
    }

    static byte[] Predict(string model, string input, string outDir, IPredictionEngine? engine = null, bool planPostProcessing = true)
    {
        var report = PredictionJob.Run(new PredictionJobOptions { Model = model, Input = input, OutputDir = outDir, Engine = engine, PlanPostProcessing = planPostProcessing });
        Assert.Equal(1, report.Succeeded);
        return File.ReadAllBytes(report.Files[0].Outputs[0]);
    }

    static async Task<(byte[] Body, HttpResponseMessage Response)> Serve(string model, string input, IPredictionEngine? engine = null)
    {
        await using var server = await SegmentationServer.StartAsync(new ServeOptions
        {
            Model = model, Engine = engine, Port = 0, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
        });
        using var http = ServeRunFolder.Client(server);
        var response = await http.PostAsync("/v1/segment", ServeRunFolder.Body(File.ReadAllBytes(input), "image/png"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsByteArrayAsync(), response);
    }

    string PostProcessedRun()
    {
        string run = PredictionTestFiles.RunFolder(Path.Combine(root, "run"), PredictionTestFiles.Tiny(dims: 2), [32, 32], adjust: DeployNets.Sharpen);
        // as cross-validation saves its choice: in inference.json
        InferenceChoices.Update(run, c => c with { PostProcessing = new PostProcessingPlan { KeepLargest = [1], ChosenOn = "test" } });
        return run;
    }

    [Fact]
    public async Task ServeAppliesTheRunsChosenPostProcessingByteForByteAsPredict()
    {
        string run = PostProcessedRun();
        string input = NoisePng();
        byte[] predicted = Predict(run, input, Path.Combine(root, "predicted"));
        byte[] raw = Predict(run, input, Path.Combine(root, "raw"), planPostProcessing: false);

        var (served, response) = await Serve(run, input);

        Assert.Equal(predicted, served);
        // the run's keep-largest changed the raw prediction, and the answer is the cleaned one: one component left
        var rawLabels = PngFile.Read(Path.Combine(root, "raw", "noise.png")).Data.Select(v => (byte)(v != 0 ? 1 : 0)).ToArray();
        var servedLabels = ReadPng(served).Select(v => (byte)(v != 0 ? 1 : 0)).ToArray();
        var largest = (byte[])rawLabels.Clone();
        int removed = LabelPostProcessing.KeepLargestComponent(largest, [48, 48]);
        Assert.True(removed > 0, "the raw prediction must have components to remove");
        Assert.NotEqual(raw, served);
        Assert.Equal(largest, servedLabels);
        Assert.Equal(largest.LongCount(v => v == 1).ToString(), response.Headers.GetValues("X-Foreground-Voxels").Single());
        response.Dispose();
    }

    [Fact]
    public async Task AnInstanceRunIsAnsweredWithPredictsInstanceMapDecodedWithTheRunsTunedSettings()
    {
        string run = PredictionTestFiles.RunFolder(Path.Combine(root, "run"), PredictionTestFiles.Tiny(dims: 2, classes: 3), [32, 32], adjust: DeployNets.Sharpen);
        (ExperimentPlan.Load(run) with { Instances = new InstanceTargetSettings() }).Save(run);
        // The run's tuned decoding at its depth (2, the full one), as its instance evaluation saves it: instances of one
        // voxel kept (the default drops those under 10), so the sharpened noise gives many.
        var tuned = new InstanceDecodingOptions { MinSize = 1, MinMarkerSize = 1 };
        InferenceChoices.Update(run, c => c with { InstanceDecoders = [new TunedDecoders(2, tuned, tuned with { Method = InstanceDecoderKind.ConnectedComponents })] });
        Assert.Equal(1, InferenceChoices.TunedDecoding(run, 2, InstanceDecoderKind.Watershed)!.MinSize);
        string input = NoisePng();
        byte[] predicted = Predict(run, input, Path.Combine(root, "predicted"));

        var (served, response) = await Serve(run, input);

        Assert.Equal(predicted, served);
        Assert.Equal("attachment; filename=\"instances.png\"", response.Content.Headers.ContentDisposition?.ToString());
        var ids = ReadPng(served).Select(v => (int)v).ToArray();
        int count = ids.Max();
        Assert.True(count > 1, $"{count} instances: the decoding had nothing to separate");
        Assert.Equal(Enumerable.Range(1, count), ids.Where(v => v != 0).Distinct().Order());
        response.Dispose();
    }

    [Fact]
    public async Task AnExportedOnnxModelIsServedWithItsPlanFromTheMetadataAsPredictRunsIt()
    {
        string run = PostProcessedRun();
        string onnx = Path.Combine(Dir("export"), "model.onnx");
        using (var model = PredictionModel.Load(run, foldBatchNorm: false))
            OnnxExporter.Export(model.Network, 2, onnx, new OnnxExportOptions { Plan = model.Plan, Source = "best.ckpt" });
        string input = NoisePng();
        var engine = new OnnxPredictionEngine();
        byte[] predicted = Predict(onnx, input, Path.Combine(root, "predicted"), engine);
        byte[] torch = Predict(run, input, Path.Combine(root, "torch"));

        var (served, response) = await Serve(onnx, input, engine);

        Assert.Equal(predicted, served);
        Assert.Equal(torch, served);   // the post-processing travelled in the plan metadata: TorchSharp's cleaned mask
        response.Dispose();

        // the CLI picks ONNX Runtime for an .onnx model, as predict does
        var options = new ServeCommand.Settings { Model = onnx }.ToOptions(_ => null);
        Assert.IsType<OnnxPredictionEngine>(options.Engine);
        Assert.IsType<TorchPredictionEngine>(new ServeCommand.Settings { Model = run }.ToOptions(_ => null).Engine);
    }

    [Fact]
    public async Task ABadDepthGetsPredictsRuleAndMessageFromServe()
    {
        string run = PredictionTestFiles.RunFolder(Path.Combine(root, "run"), PredictionTestFiles.Tiny(dims: 2), [32, 32]);
        string input = NoisePng();
        var predictError = Assert.Throws<ConfigurationException>(() =>
            PredictionJob.Open(new PredictionJobOptions { Model = run, Input = input, OutputDir = Path.Combine(root, "out"), Depth = 3 }));
        Assert.Equal($"depth 3: {Path.Combine(run, "best.ckpt")} can predict at depth 1, 2", predictError.Message);
        Assert.False(Directory.Exists(Path.Combine(root, "out")));

        // serve --depth 3: the same message (the operator's own path)
        var startError = await Assert.ThrowsAsync<ConfigurationException>(() => SegmentationServer.StartAsync(new ServeOptions { Model = run, Port = 0, Depth = 3 }));
        Assert.Equal(predictError.Message, startError.Message);

        // a request for depth 3: the same rule and words, naming no server folder
        await using var server = await SegmentationServer.StartAsync(new ServeOptions { Model = run, Port = 0, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning });
        using var http = ServeRunFolder.Client(server);
        using var response = await http.PostAsync("/v1/segment?depth=3", ServeRunFolder.Body(File.ReadAllBytes(input), "image/png"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        string error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
        Assert.Equal(predictError.Message.Replace(Path.Combine(run, "best.ckpt"), "the model"), error);
    }

    static float[] ReadPng(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"unetsharp-serve-answer-{Guid.NewGuid():N}.png");
        try
        {
            File.WriteAllBytes(path, bytes);
            return PngFile.Read(path).Data;
        }
        finally { File.Delete(path); }
    }
}
