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

/// <summary>Which models of a cross-validation folder predict: its folds' ensemble, or the one all-fold model (nnU-Net's fold "all").</summary>
public enum CrossValidationModel { Ensemble, All }

/// <summary>How model paths name one model or several (a parent folder of cross-validation folds).</summary>
public static class ModelPaths
{
    public static bool IsOnnx(string path) => path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(path);

    /// <summary>
    /// Each path as it is, except a cross-validation folder (not a run folder itself, but holding fold_k run folders):
    /// its folds fold_0, fold_1, ... in name order (an ensemble), or with <see cref="CrossValidationModel.All"/> its
    /// fold_all model alone (refused when it has none). fold_all is never a member of the ensemble: it has seen every
    /// fold's validation cases. Duplicates are refused.
    /// </summary>
    public static IReadOnlyList<string> Expand(IReadOnlyList<string> paths, CrossValidationModel use = CrossValidationModel.Ensemble)
    {
        if (paths.Count == 0) throw new ConfigurationException("no model given");
        var result = new List<string>();
        foreach (string path in paths)
        {
            if (string.IsNullOrWhiteSpace(path)) throw new ConfigurationException("model path is empty");
            if (IsCrossValidationFolder(path))
            {
                if (use == CrossValidationModel.All)
                {
                    string all = AllFold.Folder(path);
                    result.Add(IsRunFolder(all) ? all
                        : throw new ConfigurationException($"{path} holds no trained all-fold model ({all}): train it (train --fold all --out {path}) or predict with the fold ensemble"));
                }
                else
                {
                    // an ensemble silently one member short is another model: a fold without a checkpoint is refused
                    if (FoldFolders(path).FirstOrDefault(f => !IsRunFolder(f)) is { } empty)
                        throw new DataFormatException(empty, $"this fold holds neither {Trainer.BestCheckpointName} nor {Trainer.LastCheckpointName}: train it, or give the folds that have a model one by one");
                    result.AddRange(EnsembleFolds(path));
                }
                continue;
            }
            result.Add(path);
        }
        var duplicate = result.GroupBy(p => Path.GetFullPath(p).TrimEnd(Path.DirectorySeparatorChar), PathGuard.PathComparer).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ConfigurationException($"model {duplicate.Key} is given twice");
        return result;
    }

    /// <summary>A folder that is no run folder itself but holds trained fold_k (or fold_all) run folders.</summary>
    public static bool IsCrossValidationFolder(string path) => Directory.Exists(path) && !IsRunFolder(path)
        && (EnsembleFolds(path).Count > 0 || IsRunFolder(AllFold.Folder(path)));

    /// <summary>The trained fold_0, fold_1, ... of a cross-validation folder, in name order (fold_all is not one of them).</summary>
    public static IReadOnlyList<string> EnsembleFolds(string path) => FoldFolders(path).Where(IsRunFolder).ToList();

    /// <summary>Every fold_0, fold_1, ... folder of a cross-validation folder, trained or not, in name order.</summary>
    static IReadOnlyList<string> FoldFolders(string path) => Directory.EnumerateDirectories(path, CrossValidation.FoldFolderPrefix + "*")
        .Where(d => Path.GetFileName(d)[CrossValidation.FoldFolderPrefix.Length..] is { Length: > 0 } k && k.All(char.IsAsciiDigit))
        .Order(StringComparer.Ordinal).ToList();

    static bool IsRunFolder(string dir) =>
        File.Exists(Path.Combine(dir, Trainer.BestCheckpointName)) || File.Exists(Path.Combine(dir, Trainer.LastCheckpointName));
}
