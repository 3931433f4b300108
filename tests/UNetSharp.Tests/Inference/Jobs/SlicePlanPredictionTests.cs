using UNetSharp.Data;
using UNetSharp.Data.Preprocessing;
using UNetSharp.Inference;
using UNetSharp.Prediction;
using UNetSharp.IO;
using UNetSharp.Planning;

namespace UNetSharp.Tests.Inference.Jobs;

/// <summary>The 2D configuration of volumes at prediction: slices across the plan's axis, in-plane resampling, back to the input's grid.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class SlicePlanPredictionTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-slices-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    [Fact]
    public void ASagittalSlicePlanPredictsTheVolumeAsItsStackOfSlicesOnTheInputsExactGrid()
    {
        // The oblique volume: 18 (x) x 20 (y) x 12 (z) voxels of 0.7 x 0.9 x 3.0 mm, [z, y, x] = [12, 20, 18].
        // The plan slices across x (axis 2) and resamples the [z, y] planes to 1.5 x 0.9 mm: slices of 24 x 20.
        var config = PredictionTestFiles.Tiny(dims: 2, classes: 3);
        string run = PredictionTestFiles.RunFolder(Dir("run"), config, [16, 16], classValues: [0, 2, 5]);
        (ExperimentPlan.Load(run) with { SliceAxis = 2, TargetSpacing = [1.5, 0.9] }).Save(run);
        string weights = Path.Combine(run, "model.safetensors");
        TorchSharp.torch.manual_seed(7);
        using (var net = new UNetSharp.Models.SegmentationNetwork(config))
        {
            using (TorchSharp.torch.no_grad())   // He-scaled, so the output varies over the volume (PyTorch's default init flattens it)
                foreach (var (_, w) in InferenceNets.Parameters(net).Where(p => p.Value.dim() > 2))
                    w.normal_(0, Math.Sqrt(2.0 / (w.numel() / w.shape[0])));
            UNetSharp.Models.Weights.ModelWeights.Save(net, weights);
        }
        string input = PredictionTestFiles.WriteOblique(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "case.nii.gz"));
        var report = PredictionJob.Run(new PredictionJobOptions { Model = weights, Input = input, OutputDir = Dir("out"), Overlap = 0.5 });
        var file = Assert.Single(report.Files);
        Assert.True(file.Succeeded, file.Error);
        Assert.True(file.SliceBySlice);
        Assert.Equal(18 * 4, file.Tiles);   // 18 slices of 24 x 20 in 16 x 16 tiles at overlap 0.5: 2 x 2 each

        var source = NiftiFile.ReadHeader(input);
        var output = NiftiFile.Read(Path.Combine(Dir("out"), "case.nii.gz"));
        Assert.Equal(source.SpatialShape, output.Header.SpatialShape);
        Assert.Equal(source.PixDim, output.Header.PixDim);
        Assert.Equal(NiftiGeometry.BestAffine(source), NiftiGeometry.BestAffine(output.Header));

        // The same by hand, one slice at a time: normalise, x first, resample in-plane, predict each slice, back.
        using var model = PredictionModel.Load(weights);
        var predictor = new SlidingWindowPredictor(model.Network, new SlidingWindowOptions { TileSize = [16, 16], MirrorAxes = [] });
        var image = ImageFile.FromNifti(NiftiFile.Read(input), input);
        var normalized = NormalizationScheme.Apply(new SegmentationCase("case", image.Data, 1, image.Shape, null, image.Spacing), model.Plan.Normalization);
        var slices = Resampler.ToSpacing(VolumeSlices.MoveAxisFirst(normalized, 2), [0.7, 1.5, 0.9]);
        Assert.Equal(new[] { 18, 24, 20 }, slices.Shape);
        int plane = 24 * 20;
        var stacked = new byte[18 * plane];
        for (int x = 0; x < 18; x++)
            predictor.Predict(slices.Image[(x * plane)..((x + 1) * plane)], 1, [24, 20]).Labels.CopyTo(stacked, x * plane);
        var expected = VolumeSlices.MoveAxisBack(Resampler.NearestLabels(stacked, [18, 24, 20], [18, 12, 20]), 1, [12, 20, 18], 2);
        int[] values = [0, 2, 5];
        Assert.Equal(expected.Select(k => (byte)values[k]).ToArray(), (byte[])output.Voxels);
        Assert.True(expected.Distinct().Count() > 1, "the network should predict more than one class");
    }
}
