using UNetSharp.IO;
using UNetSharp.Inference;
using UNetSharp.Pipeline;
using UNetSharp.Training;

namespace UNetSharp.Prediction;

/// <summary>
/// Turns a model path into a <see cref="PredictionModel"/> whose <see cref="PredictionModel.Predictor"/> computes the
/// logits. <see cref="TorchPredictionEngine"/> is built in; UNetSharp.Onnx adds ONNX Runtime (exported .onnx files,
/// or a run folder exported in memory), so this library never references ONNX Runtime.
/// </summary>
public interface IPredictionEngine
{
    /// <summary>Engine name for reports ("torchsharp", "onnxruntime", ...).</summary>
    string Name { get; }

    /// <summary>Loads <paramref name="path"/> (a run folder, checkpoint, weights file, or the engine's own model file).</summary>
    /// <param name="depth">The depth asked for (null: the plan's); an engine that compiles one depth compiles this one.</param>
    /// <param name="foldBatchNorm">Fold batch norms into the convolutions (same outputs up to rounding, faster).</param>
    PredictionModel Load(string path, int? depth, bool foldBatchNorm);
}

/// <summary>TorchSharp: run folders, checkpoints and weights files (see <see cref="PredictionModel.Load"/>).</summary>
public sealed class TorchPredictionEngine : IPredictionEngine
{
    public static TorchPredictionEngine Instance { get; } = new();

    public string Name => "torchsharp";

    public PredictionModel Load(string path, int? depth, bool foldBatchNorm)
    {
        if (ModelPaths.IsOnnx(path))
            throw new ConfigurationException($"{path} is an ONNX model: it runs with the ONNX Runtime engine (package UNetSharp.Onnx), not TorchSharp");
        return PredictionModel.Load(path, foldBatchNorm);
    }
}

/// <summary>How model paths name one model or several (a parent folder of cross-validation folds).</summary>
public static class ModelPaths
{
    public static bool IsOnnx(string path) => path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(path);

    /// <summary>
    /// Each path as it is, except a folder that is not a run folder itself (no checkpoint) but holds fold_* run folders:
    /// those folds, in name order (an ensemble of the cross-validation models). Duplicates are refused.
    /// </summary>
    public static IReadOnlyList<string> Expand(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0) throw new ConfigurationException("no model given");
        var result = new List<string>();
        foreach (string path in paths)
        {
            if (string.IsNullOrWhiteSpace(path)) throw new ConfigurationException("model path is empty");
            if (Directory.Exists(path) && !IsRunFolder(path))
            {
                var folds = Directory.EnumerateDirectories(path, CrossValidation.FoldFolderPrefix + "*").Order(StringComparer.Ordinal).ToList();
                if (folds.Any(IsRunFolder))
                {
                    // an ensemble silently one member short is another model: a fold without a checkpoint is refused
                    if (folds.FirstOrDefault(f => !IsRunFolder(f)) is { } empty)
                        throw new DataFormatException(empty, $"this fold holds neither {Trainer.BestCheckpointName} nor {Trainer.LastCheckpointName}: train it, or give the folds that have a model one by one");
                    result.AddRange(folds);
                    continue;
                }
            }
            result.Add(path);
        }
        var duplicate = result.GroupBy(p => Path.GetFullPath(p).TrimEnd(Path.DirectorySeparatorChar), PathGuard.PathComparer).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ConfigurationException($"model {duplicate.Key} is given twice");
        return result;
    }

    static bool IsRunFolder(string dir) =>
        File.Exists(Path.Combine(dir, Trainer.BestCheckpointName)) || File.Exists(Path.Combine(dir, Trainer.LastCheckpointName));
}
