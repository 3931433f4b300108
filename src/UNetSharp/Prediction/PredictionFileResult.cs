using UNetSharp.IO;
using System.Text.Json.Serialization;
using UNetSharp.Inference;

namespace UNetSharp.Prediction;

/// <summary>What happened to one input: its outputs, or the one-line reason it was skipped.</summary>
public sealed record PredictionFileResult
{
    public required string Input { get; init; }
    public required string Status { get; init; }
    public string? Error { get; init; }

    /// <summary>Spatial shape, slowest axis first ([z, y, x] for NIfTI); null when the file could not be read.</summary>
    public int[]? Shape { get; init; }
    public int Channels { get; init; }
    public double Seconds { get; init; }

    /// <summary>Voxels given a foreground class, after post-processing.</summary>
    public long ForegroundVoxels { get; init; }

    /// <summary>Instances written (instance segmentation only).</summary>
    public int? Instances { get; init; }

    /// <summary>A 2D network predicted this volume slice by slice.</summary>
    public bool SliceBySlice { get; init; }

    /// <summary>Gray stored as RGB(A) (R = G = B), read as one channel for a one-channel model.</summary>
    public bool GrayFromColour { get; init; }

    /// <summary>Tile positions evaluated (summed over slices).</summary>
    public int Tiles { get; init; }

    public IReadOnlyList<string> Outputs { get; init; } = [];

    [JsonIgnore] public bool Succeeded => Status == Ok;

    /// <summary>A map that is all background or all foreground is rarely a segmentation: usually a model that learned a
    /// constant, or an input unlike its training data. Said, not refused (null when the map has both).</summary>
    public string? Warning
    {
        get
        {
            if (!Succeeded || Shape is null) return null;
            long voxels = Shape.Aggregate(1L, (a, b) => a * b);
            if (ForegroundVoxels == 0) return "the predicted map is empty (no foreground voxel)";
            if (ForegroundVoxels == voxels) return $"every voxel of the predicted map is foreground ({voxels:N0} of {voxels:N0}): a model that learned a constant, or an input unlike its training data";
            return null;
        }
    }

    public const string Ok = "ok", Failed = "failed", Skipped = "skipped";
}

/// <summary>The whole job: settings that were used and one result per input; saved as predict-summary.json.</summary>
public sealed record PredictionJobReport
{
    public const string FileName = "predict-summary.json";

    public required string Model { get; init; }
    public required string Plan { get; init; }
    public required int Depth { get; init; }
    public required int FullDepth { get; init; }
    public required bool Tta { get; init; }
    public required double Overlap { get; init; }
    public required string Gating { get; init; }
    public required int[] TileSize { get; init; }
    public required int Threads { get; init; }
    public required int FoldedBatchNorms { get; init; }
    public required IReadOnlyList<PredictionFileResult> Files { get; init; }
    public double Seconds { get; init; }

    /// <summary>What ran the models ("torchsharp", "onnxruntime", ...).</summary>
    public string Engine { get; init; } = "torchsharp";

    /// <summary>Every model of an ensemble with the depth it ran at (one entry for a single model).</summary>
    public IReadOnlyList<EnsembleModelReport> Models { get; init; } = [];

    /// <summary>"index/count" (0-based) when the job predicted one shard of the inputs.</summary>
    public string? Shard { get; init; }

    public int Succeeded => Files.Count(f => f.Succeeded);
    public int Skipped => Files.Count(f => f.Status == PredictionFileResult.Skipped);
    public int Failed => Files.Count(f => f.Status == PredictionFileResult.Failed);

    /// <summary>The summary's name: predict-summary.json, or predict-summary-shard-I-of-N.json for a shard (shards share the folder).</summary>
    public static string FileNameFor(PredictionShard? shard) => shard is null ? FileName : $"predict-summary-shard-{shard.Index}-of-{shard.Count}.json";

    /// <summary>The project's JSON style (snake_case keys); absent values are written as null.</summary>
    public string ToJson() => ProjectJson.Serialize(this);
}

/// <summary>One model of a prediction: the file it came from and the depth it ran at.</summary>
public sealed record EnsembleModelReport(string Model, int Depth, string Engine);
