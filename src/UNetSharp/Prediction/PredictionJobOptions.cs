using UNetSharp.Inference;
namespace UNetSharp.Prediction;

/// <summary>Settings of <see cref="PredictionJob"/>, one per `unetsharp predict` option.</summary>
public sealed record PredictionJobOptions
{
    /// <summary>A run folder (best.ckpt, else last.ckpt, with plan.json), a checkpoint file, or a weights file
    /// (.safetensors, .pt/.pth, .dat); files need plan.json beside them.</summary>
    public required string Model { get; init; }

    /// <summary>An ensemble: several model paths (each as <see cref="Model"/>, a folder of fold_* run folders counting as its
    /// folds) whose probabilities are averaged after TTA and gating, before the label map is taken. Null: <see cref="Model"/>
    /// alone (which may itself be a folder of folds).</summary>
    public IReadOnlyList<string>? Models { get; init; }

    /// <summary>A cross-validation folder among the models predicts with its folds' ensemble (default) or its all-fold model (fold_all).</summary>
    public CrossValidationModel CrossValidationModel { get; init; }

    /// <summary>What runs the models: null = TorchSharp; UNetSharp.Onnx's OnnxPredictionEngine for .onnx files and for
    /// run folders exported to ONNX Runtime in memory.</summary>
    public IPredictionEngine? Engine { get; init; }

    /// <summary>Predict only this shard of the sorted inputs (several processes then share one batch); null = all.</summary>
    public PredictionShard? Shard { get; init; }

    /// <summary>Skip inputs whose outputs all exist already (outputs are written atomically, so an existing one is
    /// complete): a rerun after a kill or a failed shard does only what is missing.</summary>
    public bool SkipExisting { get; init; }

    /// <summary>One image file (.nii, .nii.gz, .png, .tif, .tiff) or a folder of them (not recursive).</summary>
    public required string Input { get; init; }

    /// <summary>Output folder; created when the first output is written, never before the model and inputs are checked.</summary>
    public required string OutputDir { get; init; }

    /// <summary>Depth l to predict at. Null: the plan's PredictionDepth, else the network's full depth.</summary>
    public int? Depth { get; init; }

    /// <summary>Mirroring test-time augmentation over every spatial axis (2D: 4 passes, 3D: 8).</summary>
    public bool Tta { get; init; }

    public double Overlap { get; init; } = 0.5;

    public GatingMode Gating { get; init; } = GatingMode.Hard;

    public bool KeepLargest { get; init; }

    public bool FillHoles { get; init; }

    /// <summary>Apply the plan's post-processing (chosen on cross-validation) when neither <see cref="KeepLargest"/> nor <see cref="FillHoles"/> is set.</summary>
    public bool PlanPostProcessing { get; init; } = true;

    /// <summary>Also write one probability map per foreground class.</summary>
    public bool Probabilities { get; init; }

    /// <summary>Also write a contour overlay PNG per input.</summary>
    public bool Overlays { get; init; }

    /// <summary>Torch intra-op threads for the job (restored afterwards); null leaves the current setting, 0 = all cores.</summary>
    public int? Threads { get; init; }

    /// <summary>Tile size on every spatial axis. Null: the plan's patch size, as validation during training.</summary>
    public int? TileSize { get; init; }

    /// <summary>Fold batch norms into the convolutions before predicting (same outputs up to float rounding, faster).</summary>
    public bool FoldBatchNorm { get; init; } = true;

    /// <summary>Tiles per forward pass.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>Write instance maps (decoded from the interior/border probabilities) instead of class maps. Null: as the
    /// plan's task (instance segmentation when plan.json has "instances"); true on a semantic model is refused.</summary>
    public bool? Instances { get; init; }

    /// <summary>With instances: watershed or connected components, used with the settings the run tuned for it when
    /// <see cref="InstanceDecoding"/> is null.</summary>
    public UNetSharp.Instances.InstanceDecoderKind InstanceDecoder { get; init; } = UNetSharp.Instances.InstanceDecoderKind.Watershed;

    /// <summary>How instances are decoded (method, thresholds, sizes, hole filling). Null: the settings the run tuned for
    /// <see cref="InstanceDecoder"/> at the predicted depth (instances.json beside the model), else the defaults.</summary>
    public Instances.InstanceDecodingOptions? InstanceDecoding { get; init; }

    /// <summary>With instances: also write &lt;stem&gt;_instances.csv (one row per instance).</summary>
    public bool InstanceTable { get; init; }

    /// <summary>The prediction settings of this job, for <see cref="PredictionService"/>.</summary>
    public PredictionServiceOptions Service => new()
    {
        Models = Models ?? [Model], CrossValidationModel = CrossValidationModel, Engine = Engine, Depth = Depth, Tta = Tta, Overlap = Overlap, Gating = Gating,
        KeepLargest = KeepLargest, FillHoles = FillHoles, PlanPostProcessing = PlanPostProcessing, Probabilities = Probabilities,
        TileSize = TileSize, FoldBatchNorm = FoldBatchNorm, BatchSize = BatchSize,
        Instances = Instances, InstanceDecoder = InstanceDecoder, InstanceDecoding = InstanceDecoding,
    };

    /// <summary>The files added to each label or instance map.</summary>
    public PredictionOutputChoice Outputs => new(Probabilities, Overlays, InstanceTable);
}
