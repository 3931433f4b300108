using UNetSharp.Planning;

namespace UNetSharp.Serve;

/// <summary>The answer of `GET /v1/model`: what the loaded network is and which depths a request may ask for.</summary>
public sealed record ModelDescription
{
    public required string Architecture { get; init; }
    public required int Dimensions { get; init; }
    public required int InChannels { get; init; }
    /// <summary>Network output channels (1 = binary).</summary>
    public required int Classes { get; init; }
    /// <summary>Label value written for each class index (the plan's class values).</summary>
    public required IReadOnlyList<int> ClassValues { get; init; }
    public required int FullDepth { get; init; }
    /// <summary>Depths a request may ask for (pruned below the full depth).</summary>
    public required IReadOnlyList<int> Depths { get; init; }
    public required int DefaultDepth { get; init; }
    public required IReadOnlyList<int> TileSize { get; init; }
    public required bool Cgm { get; init; }
    /// <summary>File name of the checkpoint or weights (not its path: the server's folders are nobody's business).</summary>
    public required string Weights { get; init; }
    public required int FoldedBatchNorms { get; init; }
    public required int Workers { get; init; }
    /// <summary>What runs the model ("torchsharp", "onnxruntime").</summary>
    public required string Engine { get; init; }
    /// <summary>The answer is an instance map (an instance segmentation run).</summary>
    public required bool Instances { get; init; }
    public required ExperimentPlan Plan { get; init; }

    public static ModelDescription Of(SegmentationEngine engine, int workers)
    {
        var m = engine.Model;
        var c = m.Config;
        return new ModelDescription
        {
            Architecture = c.Architecture, Dimensions = c.Dimensions, InChannels = c.InChannels, Classes = c.Classes,
            ClassValues = m.Plan.ClassValues, FullDepth = c.Depth, Depths = engine.Depths, DefaultDepth = engine.DefaultDepth,
            TileSize = engine.Service.TileSize, Cgm = c.Cgm, Weights = Path.GetFileName(m.WeightsPath), FoldedBatchNorms = m.FoldedLayers,
            Workers = workers, Engine = m.Predictor.Engine, Instances = engine.Service.Instances, Plan = m.Plan,
        };
    }
}
