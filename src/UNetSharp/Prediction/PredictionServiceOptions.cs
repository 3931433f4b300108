using UNetSharp.Inference;
using UNetSharp.Instances;

namespace UNetSharp.Prediction;

/// <summary>How <see cref="PredictionService"/> predicts: the same settings whether `predict` writes files or `serve`
/// answers uploads (<see cref="PredictionJobOptions.Service"/> takes them from a job's options).</summary>
public sealed record PredictionServiceOptions
{
    /// <summary>Model paths as <see cref="ModelPaths.Expand"/> reads them; more than one is an ensemble.</summary>
    public required IReadOnlyList<string> Models { get; init; }

    /// <summary>A cross-validation folder among <see cref="Models"/> predicts with its folds' ensemble or its all-fold model.</summary>
    public CrossValidationModel CrossValidationModel { get; init; }

    /// <summary>Null: TorchSharp.</summary>
    public IPredictionEngine? Engine { get; init; }

    /// <summary>Null: the run's chosen depth, else the deepest the model runs (<see cref="PredictionModel.DepthFor"/>).</summary>
    public int? Depth { get; init; }

    public bool Tta { get; init; }
    public double Overlap { get; init; } = 0.5;
    public GatingMode Gating { get; init; } = GatingMode.Hard;

    /// <summary>Explicit clean-ups; either one replaces the run's post-processing.</summary>
    public bool KeepLargest { get; init; }
    public bool FillHoles { get; init; }

    /// <summary>Apply the run's post-processing (chosen on cross-validation) when neither clean-up is given.</summary>
    public bool PlanPostProcessing { get; init; } = true;

    /// <summary>Keep the class probabilities in each <see cref="CasePrediction"/>.</summary>
    public bool Probabilities { get; init; }

    /// <summary>Tile size on every axis; null: a fixed-size model's size, else the plan's patch size.</summary>
    public int? TileSize { get; init; }
    public bool FoldBatchNorm { get; init; } = true;
    public int BatchSize { get; init; } = 1;

    /// <summary>Decode instances; null: as the run's task. True on a semantic model is refused.</summary>
    public bool? Instances { get; init; }
    public InstanceDecoderKind InstanceDecoder { get; init; } = InstanceDecoderKind.Watershed;

    /// <summary>Null: the settings the run tuned for <see cref="InstanceDecoder"/> at the depth predicted, else the defaults.</summary>
    public InstanceDecodingOptions? InstanceDecoding { get; init; }

    /// <summary>Bad values throw <see cref="ConfigurationException"/> naming the setting.</summary>
    public void Validate()
    {
        if (Overlap is < 0 or >= 1 || double.IsNaN(Overlap)) throw new ConfigurationException($"tile overlap must be in [0, 1), got {Overlap}");
        if (BatchSize < 1) throw new ConfigurationException($"batch size must be at least 1, got {BatchSize}");
        if (TileSize is <= 0) throw new ConfigurationException($"tile size must be positive, got {TileSize}");
    }
}
