using Google.Protobuf;
using UNetSharp.Onnx;
using UNetSharp.Inference;
using UNetSharp.Prediction;
using UNetSharp.IO;
using UNetSharp.Tests.Export;
using UNetSharp.Tests.Inference.Jobs;
using UNetSharp.Tests.Models;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Deploy;

/// <summary>ONNX Runtime and TorchSharp behind the one patch-predictor abstraction: same logits, same probabilities and
/// the same masks through sliding window, TTA and CGM gating, in 2D and 3D; the ONNX engine through `predict`.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class OnnxPredictionTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-onnx-predict-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    [Theory]
    [InlineData(2, 1, 1)]   // binary, pruned: the shallow CGM gates
    [InlineData(3, 3, 2)]   // three classes, full depth: the deep CGM gates
    public void OnnxRuntimeAndTorchSharpGiveTheSameLogitsProbabilitiesAndMasksThroughSlidingWindowTtaAndGating(int dims, int classes, int depth)
    {
        using var net = OnnxTestNets.Random(TinyNets.Config(dims: dims, depth: 2, classes: classes, cgm: true));
        DeployNets.Sharpen(net);
        string path = Dir("model.onnx");
        OnnxExporter.Export(net, depth, path);
        using var torchSharp = new TorchPatchPredictor(net);
        using var onnx = new OnnxPatchPredictor(new OnnxInference(path));

        // the abstraction itself: one batch of patches, logits and presence logits
        using (var scope = NewDisposeScope())
        {
            var patches = randn(dims == 2 ? [3, 1, 16, 16] : [2, 1, 8, 12, 8], generator: new Generator(5));
            var a = torchSharp.Run(patches, depth);
            var b = onnx.Run(patches, depth);
            Assert.Equal(a.Logits.shape, b.Logits.shape);
            Assert.True(a.Logits.sub(b.Logits).abs().max().item<float>() <= 1e-4f);
            Assert.True(a.PresenceLogits!.sub(b.PresenceLogits!).abs().max().item<float>() <= 1e-4f);
        }

        int[] shape = dims == 2 ? [40, 52] : [8, 12, 14];
        int[] tile = dims == 2 ? [16, 16] : [8, 8, 8];
        var image = InferenceNetsRandom(shape.Aggregate(1, (x, y) => x * y), seed: 9);
        foreach (var gating in new[] { GatingMode.Soft, GatingMode.Hard })
        {
            var options = new SlidingWindowOptions { Depth = depth, TileSize = tile, Overlap = 0.5, Gating = gating, ReturnProbabilities = true };   // TTA: every axis
            var expected = new SlidingWindowPredictor(torchSharp, options).Predict(image, 1, shape);
            var actual = new SlidingWindowPredictor(onnx, options).Predict(image, 1, shape);
            Assert.True(expected.Tiles > 1);
            double worst = expected.Probabilities!.Zip(actual.Probabilities!, (x, y) => Math.Abs(x - y)).Max();
            Assert.True(worst <= 1e-4, $"{gating}: probabilities differ by {worst}");
            Assert.Equal(expected.Presence!, actual.Presence!, (x, y) => Math.Abs(x - y) <= 1e-4f);
            Assert.Equal(expected.Labels, actual.Labels);
            // not a trivial mask: both engines agree on a map with more than one class in it
            Assert.True(expected.Labels.Distinct().Count() > 1, $"{gating}: constant mask");
        }
    }

    static float[] InferenceNetsRandom(int count, int seed) => UNetSharp.Tests.Inference.InferenceNets.Random(count, seed);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void PredictWithAnExportedModelOrTheOnnxEngineWritesTheSameFilesAsTorchSharp(int dims)
    {
        var config = TinyNets.Config(dims: dims, depth: 2, classes: dims == 2 ? 1 : 3, cgm: true);
        string run = PredictionTestFiles.RunFolder(Dir("run"), config, dims == 2 ? [16, 16] : [8, 8, 8], classValues: dims == 2 ? null : [0, 2, 5],
            adjust: DeployNets.Sharpen);
        string inDir = Directory.CreateDirectory(Dir("in")).FullName;
        if (dims == 2)
        {
            PredictionTestFiles.WritePng(Path.Combine(inDir, "a.png"), 40, 52);
            PredictionTestFiles.WritePng(Path.Combine(inDir, "b.png"), 24, 20, seed: 4);
        }
        else PredictionTestFiles.WriteOblique(Path.Combine(inDir, "case_0000.nii.gz"), 12, 14, 8);
        string onnxFile = Dir("model.onnx");
        using (var model = PredictionModel.Load(run, foldBatchNorm: false))
            OnnxExporter.Export(model.Network, 1, onnxFile, new OnnxExportOptions { Plan = model.Plan });

        PredictionJobReport Predict(string model, string outDir, IPredictionEngine? engine, int? depth) => PredictionJob.Run(new PredictionJobOptions
        {
            Model = model, Input = inDir, OutputDir = Dir(outDir), Engine = engine, Depth = depth, Tta = true, Probabilities = true,
        });
        var torchReport = Predict(run, "torch", null, 1);
        var fileReport = Predict(onnxFile, "onnx-file", new OnnxPredictionEngine(), null);   // depth, plan and labels from the model's metadata
        var engineReport = Predict(run, "onnx-engine", new OnnxPredictionEngine(), 1);       // the run folder exported in memory

        Assert.Equal("torchsharp", torchReport.Engine);
        Assert.Equal("onnxruntime", fileReport.Engine);
        Assert.Equal(1, fileReport.Depth);
        foreach (var file in torchReport.Files)
        {
            Assert.True(file.Succeeded, file.Error);
            string labels = Path.GetFileName(file.Outputs[0]);
            Assert.Equal(File.ReadAllBytes(file.Outputs[0]), File.ReadAllBytes(Path.Combine(Dir("onnx-file"), labels)));
            Assert.Equal(File.ReadAllBytes(file.Outputs[0]), File.ReadAllBytes(Path.Combine(Dir("onnx-engine"), labels)));
            if (dims == 3)
                foreach (string prob in file.Outputs.Skip(1))
                {
                    var a = (float[])NiftiFile.Read(prob).Voxels;
                    var b = (float[])NiftiFile.Read(Path.Combine(Dir("onnx-file"), Path.GetFileName(prob))).Voxels;
                    Assert.True(a.Zip(b, (x, y) => Math.Abs(x - y)).Max() <= 1e-4);
                }
        }
        Assert.All(torchReport.Files, f => Assert.InRange(f.ForegroundVoxels, 1, f.Shape!.Aggregate(1L, (x, y) => x * y) - 1));   // masks, not constants
    }

    [Fact]
    public void AnOnnxFileWithoutOurMetadataATruncatedOneAndAFixedSizeThatDoesNotFitAreRefusedNamingTheFile()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), TinyNets.Config(dims: 2, depth: 2), [16, 16]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 20, 20);
        string good = Dir("good.onnx"), bare = Dir("bare.onnx"), truncated = Dir("truncated.onnx"), fixedSize = Dir("fixed.onnx");
        using (var model = PredictionModel.Load(run, foldBatchNorm: false))
        {
            OnnxExporter.Export(model.Network, 2, good, new OnnxExportOptions { Plan = model.Plan });
            OnnxExporter.Export(model.Network, 2, fixedSize, new OnnxExportOptions { Plan = model.Plan, InputSize = [32, 32] });
        }
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(good));
        proto.MetadataProps.Clear();
        File.WriteAllBytes(bare, proto.ToByteArray());
        var bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);

        UNetSharpException Open(string model, int? tile = null) => Assert.ThrowsAny<UNetSharpException>(() =>
            PredictionJob.Open(new PredictionJobOptions { Model = model, Input = input, OutputDir = Dir("out"), Engine = new OnnxPredictionEngine(), TileSize = tile }).Dispose());
        Assert.Contains($"{bare}: ONNX model without UNetSharp metadata", Open(bare).Message);
        Assert.StartsWith($"{truncated}: not a valid ONNX model", Open(truncated).Message);
        Assert.Contains($"{fixedSize} takes fixed 32x32 inputs; tile 16x16 does not fit", Open(fixedSize, tile: 16).Message);
        Assert.Contains("runs with the ONNX Runtime engine", Assert.Throws<ConfigurationException>(() =>
            PredictionJob.Open(new PredictionJobOptions { Model = good, Input = input, OutputDir = Dir("out") })).Message);
        Assert.False(Directory.Exists(Dir("out")));

        // the fixed-size model takes its own size as the tile: a 20x20 image is padded into one 32x32 tile
        var report = PredictionJob.Run(new PredictionJobOptions { Model = fixedSize, Input = input, OutputDir = Dir("out"), Engine = new OnnxPredictionEngine() });
        Assert.Equal([32, 32], report.TileSize);
        Assert.True(report.Files[0].Succeeded, report.Files[0].Error);
    }
}
