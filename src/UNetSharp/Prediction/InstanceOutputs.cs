using UNetSharp.Inference;
using UNetSharp.Instances;
using UNetSharp.Overlays;
using UNetSharp.Planning;

namespace UNetSharp.Prediction;

/// <summary>
/// The outputs of an instance segmentation model for one input, named as <see cref="PredictionOutputs"/> names them:
/// the instance map in place of the class map (see <see cref="InstanceMapFile"/> for bit depths and limits), optional
/// &lt;stem&gt;_instances.csv (<see cref="InstanceTable"/>), &lt;stem&gt;_prob&lt;k&gt; for interior (k = 1) and border (k = 2),
/// and an overlay with every instance in its own colour.
/// </summary>
public static class InstanceOutputs
{
    /// <summary>Whether instances are decoded: as asked, else as the run's task. A semantic model asked for instances is refused.</summary>
    public static bool Resolve(bool? asked, InstanceDecodingOptions? decoding, PredictionModel model)
    {
        bool trained = model.Plan.Instances is not null && model.Config.Classes == 3;
        bool wanted = asked ?? trained;
        if (wanted && !trained)
            throw new ConfigurationException($"instances: {model.PlanPath} describes a semantic model ({model.Config.Classes} output classes, no instances task in the plan); " +
                "train with the instances task setting to predict instance maps");
        decoding?.Validate();
        return wanted;
    }

    /// <summary>The decoding settings: the explicit ones, else the run's tuned ones for the method at this depth
    /// (<see cref="InferenceChoices.TunedDecoding"/>), else the defaults.</summary>
    public static InstanceDecodingOptions Decoding(InstanceDecodingOptions? explicitOptions, InstanceDecoderKind method, PredictionModel model, int depth) =>
        explicitOptions
        ?? InferenceChoices.TunedDecoding(Path.GetDirectoryName(Path.GetFullPath(model.PlanPath))!, depth, method)
        ?? new InstanceDecodingOptions { Method = method };

    /// <summary>Every file <see cref="Write"/> may write for one input (checked for collisions before anything is written).</summary>
    public static List<string> PlannedPaths(PredictionJobOptions options, string input, int channels)
    {
        var paths = PredictionOutputs.PlannedPaths(options.OutputDir, input, channels, options.Probabilities, options.Overlays);
        if (options.InstanceTable) paths.Add(TablePath(options.OutputDir, input));
        return paths;
    }

    static string TablePath(string outDir, string input) => PredictionOutputs.OutputPath(outDir, input, "_instances", ".csv");

    /// <summary>Writes a decoded prediction (<see cref="PredictionService.Predict"/>); returns the files written, the map first.</summary>
    public static List<string> Write(PredictionInput input, CasePrediction prediction, int channels, string outDir, PredictionOutputChoice choice)
    {
        var instances = prediction.Instances ?? throw new ArgumentException("the prediction holds no instance map", nameof(prediction));
        var probabilities = prediction.Probabilities!;
        int voxels = instances.Length;
        var written = new List<string>();
        string map = PredictionOutputs.OutputPath(outDir, input.Path);
        InstanceMapFile.Write(map, instances, input.Shape, input.Header);
        written.Add(map);
        if (choice.InstanceTable)
        {
            string csv = TablePath(outDir, input.Path);
            var interior = probabilities.AsSpan(InstanceTargets.Interior * voxels, voxels);
            var rows = InstanceTable.Measure(instances, input.Shape, input.Normalized.Spacing, input.Raw.Data.AsSpan(0, voxels), interior);
            InstanceTable.WriteCsv(csv, rows, input.Shape.Length);
            written.Add(csv);
        }
        if (choice.Probabilities)
            for (int k = 1; k < channels; k++)
            {
                string path = PredictionOutputs.ProbabilityPath(outDir, input.Path, k);
                PredictionOutputs.WriteProbability(path, input, probabilities.AsSpan(k * voxels, voxels).ToArray());
                written.Add(path);
            }
        if (choice.Overlays)
        {
            string path = PredictionOutputs.OverlayPath(outDir, input.Path);
            int h = input.Shape[^2], w = input.Shape[^1], plane = h * w;
            int slice = input.Shape.Length == 3 ? OverlayImage.BusiestSlice<int>(instances, plane, fallback: input.Shape[0] / 2) : 0;
            InstanceOverlay.Write(path, input.Raw.Data.AsSpan(slice * plane, plane), h, w, instances.AsSpan(slice * plane, plane));
            written.Add(path);
        }
        return written;
    }
}
