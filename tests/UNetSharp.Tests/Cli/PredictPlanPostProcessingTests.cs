using UNetSharp.Cli;
using UNetSharp.Inference;
using UNetSharp.IO;
using UNetSharp.Labels;
using UNetSharp.Planning;
using UNetSharp.Tests.Deploy;
using UNetSharp.Tests.Inference.Jobs;

namespace UNetSharp.Tests.Cli;

/// <summary>
/// `predict` applies the post-processing a cross-validation saved in plan.json (here keep-largest for class 1), `--no-postprocessing`
/// turns it off, and `--fill-holes` replaces it. The network is sharpened so that a noise image gives a raw prediction of many
/// separate components; the outputs must be that raw prediction with exactly the stated clean-up, voxel for voxel.
/// </summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class PredictPlanPostProcessingTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-predict-pp-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    byte[] Predict(string run, string input, string output, params string[] flags)
    {
        var stderr = new StringWriter();
        int code = CliApp.Run(["predict", "--model", run, "--input", input, "--out", Dir(output), .. flags], new StringWriter(), stderr);
        Assert.True(code == 0, stderr.ToString());
        var png = PngFile.Read(Path.Combine(Dir(output), "noise.png"));
        return png.Data.Select(v => (byte)(v != 0 ? 1 : 0)).ToArray();
    }

    [Fact]
    public void ThePlansKeepLargestIsAppliedAndNoPostprocessingGivesTheRawPrediction()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [32, 32], adjust: DeployNets.Sharpen);
        (ExperimentPlan.Load(run) with { PostProcessing = new PostProcessingPlan { KeepLargest = [1], ChosenOn = "test" } }).Save(run);
        var rng = new Random(7);
        int[] shape = [48, 48];
        var noise = Enumerable.Range(0, 48 * 48).Select(_ => (float)rng.Next(0, 256)).ToArray();
        string input = Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "noise.png");
        PngFile.Write(input, new RasterImage(noise, 1, shape, 8));

        var raw = Predict(run, input, "raw", "--no-postprocessing");
        var planned = Predict(run, input, "planned");
        var filled = Predict(run, input, "filled", "--fill-holes");

        // the raw prediction has several components: keep-largest has something to remove
        var largest = (byte[])raw.Clone();
        int removed = LabelPostProcessing.KeepLargestComponent(largest, shape);
        int rawForeground = raw.Count(v => v == 1);
        Assert.True(removed > 0 && rawForeground - removed > 0, $"raw foreground {rawForeground}, removed {removed}");
        Assert.Equal(largest, planned);
        Assert.Equal(rawForeground - removed, planned.Count(v => v == 1));

        // --fill-holes replaces the plan's choice: the raw prediction with its holes filled, all components kept
        var holesFilled = (byte[])raw.Clone();
        int added = LabelPostProcessing.FillHoles(holesFilled, shape);
        Assert.Equal(holesFilled, filled);
        Assert.Equal(rawForeground + added, filled.Count(v => v == 1));
    }
}
