using UNetSharp.Planning;
using UNetSharp.Inference;
using UNetSharp.Instances;
using UNetSharp.Overlays;

namespace UNetSharp.Prediction;

/// <summary>
/// The outputs of an instance segmentation model for one input, named as <see cref="PredictionOutputs"/> names them:
/// the instance map in place of the class map (see <see cref="InstanceMapFile"/> for bit depths and limits), optional
/// &lt;stem&gt;_instances.csv (<see cref="InstanceTable"/>), &lt;stem&gt;_prob&lt;k&gt; for interior (k = 1) and border (k = 2),
/// and an overlay with every instance in its own colour.
/// </summary>
public static class InstanceOutputs
{
    /// <summary>Whether a job decodes instances: the Instances setting, else the plan's task. A semantic model asked for instances is refused.</summary>
    public static bool Resolve(PredictionJobOptions options, PredictionModel model)
    {
        bool trained = model.Plan.Instances is not null && model.Config.Classes == 3;
        bool wanted = options.Instances ?? trained;
        if (wanted && !trained)
            throw new ConfigurationException($"instances: {model.PlanPath} describes a semantic model ({model.Config.Classes} output classes, no instances task in the plan); " +
                "train with the instances task setting to predict instance maps");
        options.InstanceDecoding?.Validate();
        if (options.InstanceTable && !wanted) throw new ConfigurationException("the instance table setting needs instance prediction (the instances setting)");
        return wanted;
    }

    /// <summary>The decoding settings of a job: the explicit ones, else the run's tuned ones for the method at this depth, else the defaults.</summary>
    public static InstanceDecodingOptions Decoding(PredictionJobOptions options, PredictionModel model, int depth) =>
        options.InstanceDecoding
        ?? InferenceChoices.TunedDecoding(Path.GetDirectoryName(Path.GetFullPath(model.PlanPath))!, depth, options.InstanceDecoder)
        ?? new InstanceDecodingOptions { Method = options.InstanceDecoder };

    /// <summary>Every file <see cref="Write"/> may write for one input (checked for collisions before anything is written).</summary>
    public static List<string> PlannedPaths(PredictionJobOptions options, string input, int channels)
    {
        var paths = PredictionOutputs.PlannedPaths(options.OutputDir, input, channels, options.Probabilities, options.Overlays);
        if (options.InstanceTable) paths.Add(TablePath(options.OutputDir, input));
        return paths;
    }

    static string TablePath(string outDir, string input) => PredictionOutputs.OutputPath(outDir, input, "_instances", ".csv");

    /// <summary>Decodes and writes; returns the files written and the number of instances.</summary>
    public static (List<string> Written, int Count) Write(PredictionInput input, byte[] classes, float[] probabilities, int channels, PredictionJobOptions options)
    {
        int voxels = classes.Length;
        var interior = probabilities.AsSpan(InstanceTargets.Interior * voxels, voxels);
        var (instances, count) = InstanceDecoder.FromProbabilities(probabilities.AsSpan(0, channels * voxels), input.Shape, options.InstanceDecoding ?? new InstanceDecodingOptions { Method = options.InstanceDecoder });
        var written = new List<string>();
        string map = PredictionOutputs.OutputPath(options.OutputDir, input.Path);
        InstanceMapFile.Write(map, instances, input.Shape, input.Header);
        written.Add(map);
        if (options.InstanceTable)
        {
            string csv = TablePath(options.OutputDir, input.Path);
            var rows = InstanceTable.Measure(instances, input.Shape, input.Normalized.Spacing, input.Raw.Data.AsSpan(0, voxels), interior);
            InstanceTable.WriteCsv(csv, rows, input.Shape.Length);
            written.Add(csv);
        }
        if (options.Probabilities)
            for (int k = 1; k < channels; k++)
            {
                string path = PredictionOutputs.ProbabilityPath(options.OutputDir, input.Path, k);
                PredictionOutputs.WriteProbability(path, input, probabilities.AsSpan(k * voxels, voxels).ToArray());
                written.Add(path);
            }
        if (options.Overlays)
        {
            string path = PredictionOutputs.OverlayPath(options.OutputDir, input.Path);
            int h = input.Shape[^2], w = input.Shape[^1], plane = h * w;
            int slice = input.Shape.Length == 3 ? OverlayImage.BusiestSlice<int>(instances, plane, fallback: input.Shape[0] / 2) : 0;
            InstanceOverlay.Write(path, input.Raw.Data.AsSpan(slice * plane, plane), h, w, instances.AsSpan(slice * plane, plane));
            written.Add(path);
        }
        return (written, count);
    }
}
