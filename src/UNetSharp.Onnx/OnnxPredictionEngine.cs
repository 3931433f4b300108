using UNetSharp.Prediction;
using UNetSharp.Planning;

namespace UNetSharp.Onnx;

/// <summary>
/// ONNX Runtime (CPU execution provider) as a prediction engine: an exported .onnx file (network, depth and plan read
/// from its metadata), or a run folder / checkpoint exported in memory at the asked depth (nothing written to disk),
/// so `predict` gives TorchSharp's masks from either engine.
/// </summary>
public sealed class OnnxPredictionEngine : IPredictionEngine
{
    /// <param name="threads">ONNX Runtime intra-op threads; null = its default (one per physical core).</param>
    public OnnxPredictionEngine(int? threads = null) => Threads = threads;

    public int? Threads { get; }

    public string Name => "onnxruntime";

    public PredictionModel Load(string path, int? depth, bool foldBatchNorm)
    {
        if (ModelPaths.IsOnnx(path)) return LoadFile(path, Threads);
        // Unfolded: the exporter folds batch norm itself, in double precision, from the original statistics.
        using var model = PredictionModel.Load(path, foldBatchNorm: false);
        int d = model.DepthFor(depth);
        byte[] bytes = OnnxExporter.ToBytes(model.Network, d, new OnnxExportOptions { Plan = model.Plan, Source = Path.GetFileName(model.WeightsPath) });
        var inference = new OnnxInference(bytes, $"{model.WeightsPath} (exported to ONNX in memory)", Threads);
        return Wrap(inference, model.Plan, model.WeightsPath, model.PlanPath);
    }

    /// <summary>An exported model file with the plan it carries (older exports without the whole plan: rebuilt from the
    /// per-item metadata). A file that is not an ONNX model, is truncated, or has no UNetSharp metadata is refused naming it.</summary>
    public static PredictionModel LoadFile(string path, int? threads = null)
    {
        var inference = new OnnxInference(path, threads);
        try
        {
            var predictor = new OnnxPatchPredictor(inference);
            return new PredictionModel(predictor, PlanOf(inference, predictor), path, path);
        }
        catch
        {
            inference.Dispose();
            throw;
        }
    }

    static PredictionModel Wrap(OnnxInference inference, ExperimentPlan plan, string weights, string planPath)
    {
        try { return new PredictionModel(new OnnxPatchPredictor(inference), plan, weights, planPath); }
        catch
        {
            inference.Dispose();
            throw;
        }
    }

    static ExperimentPlan PlanOf(OnnxInference inference, OnnxPatchPredictor predictor)
    {
        var meta = inference.Metadata;
        if (meta.TryGetValue(OnnxMetadata.PlanKey, out var json))
            return ExperimentPlan.Parse(json, $"{inference.Path} (metadata {OnnxMetadata.PlanKey})") with { PredictionDepth = predictor.Depths[0] };
        string[] needed = ["unetsharp.normalization", "unetsharp.class_values", "unetsharp.patch_size"];
        if (needed.FirstOrDefault(k => !meta.ContainsKey(k)) is { } missing)
            throw new DataFormatException(inference.Path, $"ONNX model has no pre-processing metadata ({missing}): export it from a run folder so its plan travels with it");
        string rebuilt = "{" + $"\"network\":{meta[OnnxMetadata.NetworkKey]},\"normalization\":{meta["unetsharp.normalization"]}," +
            $"\"class_values\":{meta["unetsharp.class_values"]},\"patch_size\":[{meta["unetsharp.patch_size"].Replace('x', ',')}]" +
            (meta.TryGetValue("unetsharp.layout", out var layout) ? $",\"layout\":{layout}" : "") +
            (meta.TryGetValue("unetsharp.modalities", out var modalities) ? $",\"modalities\":{modalities}" : "") + "}";
        return ExperimentPlan.Parse(rebuilt, $"{inference.Path} (metadata)") with { PredictionDepth = predictor.Depths[0] };
    }
}
