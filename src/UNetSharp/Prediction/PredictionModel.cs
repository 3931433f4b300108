using System.Text;
using UNetSharp.Inference;
using UNetSharp.Models;
using UNetSharp.Models.Weights;
using UNetSharp.Pipeline;
using UNetSharp.Planning;
using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;

namespace UNetSharp.Prediction;

/// <summary>
/// A trained network with the plan that says how to feed it, loaded from a run folder (best.ckpt, else last.ckpt),
/// a checkpoint file or a bare weights file, each with plan.json beside it. Owns the network.
/// </summary>
public sealed class PredictionModel : IDisposable
{
    readonly SegmentationNetwork? network;

    PredictionModel(SegmentationNetwork network, ExperimentPlan plan, string weightsPath, string planPath, int foldedLayers)
        : this(new TorchPatchPredictor(network, ownsNetwork: true), plan, weightsPath, planPath, foldedLayers)
    {
        this.network = network;
    }

    /// <summary>A model run by another engine (ONNX Runtime in UNetSharp.Onnx); owns <paramref name="predictor"/>.</summary>
    /// <param name="weightsPath">The file the model came from, for reports and messages.</param>
    /// <param name="planPath">Where the plan was read (plan.json, or the model file when it carries its plan).</param>
    public PredictionModel(IPatchPredictor predictor, ExperimentPlan plan, string weightsPath, string planPath, int foldedLayers = 0)
    {
        Predictor = predictor; Plan = plan; WeightsPath = weightsPath; PlanPath = planPath; FoldedLayers = foldedLayers;
        Check(plan, predictor.Network, planPath, weightsPath);
    }

    /// <summary>What computes the logits (owned by the model).</summary>
    public IPatchPredictor Predictor { get; }

    /// <summary>The network's configuration (dimensions, channels, classes, depth, strides).</summary>
    public NetworkConfig Config => Predictor.Network;

    /// <summary>The TorchSharp network; only models loaded by <see cref="Load"/> have one.</summary>
    public SegmentationNetwork Network => network ?? throw new InvalidOperationException($"{WeightsPath} is run by {Predictor.Engine}, not TorchSharp");

    public ExperimentPlan Plan { get; }

    /// <summary>The checkpoint, weights or model file the network came from.</summary>
    public string WeightsPath { get; }
    public string PlanPath { get; }

    /// <summary>Batch norms folded into their convolutions (0 when not folded or instance norm).</summary>
    public int FoldedLayers { get; }

    /// <summary>The depth to predict at: the requested one, else the run's choice (the plan carries it, see
    /// <see cref="InferenceChoices.PlanFor"/>), else the deepest the model runs; one the model cannot run is refused
    /// naming the model. The one depth rule and message of predict, serve, export and the benchmarks.</summary>
    /// <param name="subject">How the message names the model; null: its path (a server says "the model", its folders
    /// being nobody's business).</param>
    public int DepthFor(int? requested, string? subject = null)
    {
        int depth = requested ?? Plan.PredictionDepth ?? (Predictor.Depths.Contains(Config.Depth) ? Config.Depth : Predictor.Depths.Max());
        if (!Predictor.Depths.Contains(depth))
            throw new ConfigurationException($"depth {depth}: {subject ?? WeightsPath} can predict at depth {string.Join(", ", Predictor.Depths)}" +
                (network is null ? $" ({Predictor.Engine} model exported at that depth)" : network.Config.DeepSupervision ? "" : " (it has no deep-supervision heads, so it cannot be pruned)"));
        return depth;
    }

    public void Dispose() => Predictor.Dispose();

    /// <param name="foldBatchNorm">Fold batch norms for inference (the loaded, unfolded network is disposed).</param>
    public static PredictionModel Load(string path, bool foldBatchNorm = true)
    {
        string weights = Resolve(path);
        string planPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(weights)) ?? ".", ExperimentPlan.FileName);
        // the run folder around the model must be one run: plan, config, split and every checkpoint agree (else refused naming both files)
        if (File.Exists(planPath)) RunFolderVerifier.Verify(Path.GetDirectoryName(planPath)!, checkpoints: IsCheckpoint(weights) ? [weights] : null);
        var plan = InferenceChoices.PlanFor(weights); // plan.json with the run's inference.json choices (depth, post-processing)
        var network = IsCheckpoint(weights) ? CheckpointFile.LoadModel(weights) : LoadWeights(weights, plan.Network);
        try
        {
            Check(plan, network.Config, planPath, weights);
            int folded = 0;
            if (foldBatchNorm && network.Config.Norm == NormKind.Batch)
            {
                // As BatchNormFolding.FoldedCopy, keeping the count for the report.
                var copy = new SegmentationNetwork(network.Config);
                copy.load_state_dict(network.state_dict());
                network.Dispose();
                network = copy;
                folded = BatchNormFolding.FoldInPlace(network);
            }
            network.eval();
            return new PredictionModel(network, plan, weights, planPath, folded);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>The checkpoint or weights file a model path names; a missing path fails before anything is created.</summary>
    static string Resolve(string path)
    {
        if (Directory.Exists(path))
        {
            foreach (string name in new[] { Trainer.BestCheckpointName, Trainer.LastCheckpointName })
                if (File.Exists(Path.Combine(path, name))) return Path.Combine(path, name);
            throw new DataFormatException(path, $"run folder holds neither {Trainer.BestCheckpointName} nor {Trainer.LastCheckpointName}");
        }
        if (!File.Exists(path))
            throw new DataFormatException(path, "model not found (expected a run folder, a checkpoint, or a .safetensors/.pth/.dat weights file with plan.json beside it)");
        return path;
    }

    /// <summary>Checkpoints are recognised by their signature, whatever their name; anything else is a weights file.</summary>
    static bool IsCheckpoint(string path)
    {
        Span<byte> magic = stackalloc byte[8];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(magic, 8, throwOnEndOfStream: false) == 8 && Encoding.ASCII.GetString(magic) == "UNSCKPT1";
    }

    static SegmentationNetwork LoadWeights(string path, NetworkConfig config)
    {
        var network = new SegmentationNetwork(config);
        try
        {
            ModelWeights.Load(network, path);
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>A checkpoint carries its own network configuration: it must be the one the plan describes.</summary>
    static void Check(ExperimentPlan plan, NetworkConfig network, string planPath, string weights)
    {
        var p = plan.Network;
        if (p.Dimensions != network.Dimensions || p.InChannels != network.InChannels || p.Classes != network.Classes || p.Depth != network.Depth)
            throw new DataFormatException(planPath, $"plan describes a {p.Dimensions}D network (in {p.InChannels}, classes {p.Classes}, depth {p.Depth}) " +
                $"but {Path.GetFileName(weights)} holds a {network.Dimensions}D one (in {network.InChannels}, classes {network.Classes}, depth {network.Depth})");
        int expected = network.Classes == 1 ? 2 : network.Classes;
        if (plan.ClassValues.Count != expected)
            throw new DataFormatException(planPath, $"plan lists {plan.ClassValues.Count} class values ({string.Join(",", plan.ClassValues)}) for a network with {expected} classes");
        if (plan.ClassValues.Any(v => v < 0)) throw new DataFormatException(planPath, $"negative class value in {string.Join(",", plan.ClassValues)}");
    }
}
