using UNetSharp.IO;
using System.Text.Json.Serialization;

namespace UNetSharp.Inference.Jobs;

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

    /// <summary>Tile positions evaluated (summed over slices).</summary>
    public int Tiles { get; init; }

    public IReadOnlyList<string> Outputs { get; init; } = [];

    [JsonIgnore] public bool Succeeded => Status == Ok;

    public const string Ok = "ok", Failed = "failed";
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

    public int Succeeded => Files.Count(f => f.Succeeded);
    public int Failed => Files.Count - Succeeded;

    /// <summary>The project's JSON style (snake_case keys); absent values are written as null.</summary>
    public string ToJson() => ProjectJson.Serialize(this);
}
