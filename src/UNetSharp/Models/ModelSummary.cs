using System.Text.Json;
using UNetSharp.IO;
using System.Text.Json.Serialization;

namespace UNetSharp.Models;

/// <summary>
/// What `unetsharp info` reports: trainable parameters and forward GFLOPs of the network pruned to each depth
/// (nodes X^{i,j} needed for X^{0,l} plus that depth's head; CGMs counted apart), for one input size.
/// </summary>
public sealed record ModelSummary(
    [property: JsonPropertyName("architecture")] string Architecture,
    [property: JsonPropertyName("dims")] int Dimensions,
    [property: JsonPropertyName("in_channels")] int InChannels,
    [property: JsonPropertyName("classes")] int Classes,
    [property: JsonPropertyName("depth")] int Depth,
    [property: JsonPropertyName("widths")] IReadOnlyList<int> Widths,
    [property: JsonPropertyName("deep_supervision")] bool DeepSupervision,
    [property: JsonPropertyName("cgm")] bool Cgm,
    [property: JsonPropertyName("size")] IReadOnlyList<long> Size,
    [property: JsonPropertyName("params")] IReadOnlyDictionary<string, long> Params,
    [property: JsonPropertyName("gflops")] IReadOnlyDictionary<string, double> Gflops,
    [property: JsonPropertyName("nodes")] IReadOnlyDictionary<string, int> Nodes,
    [property: JsonPropertyName("cgm_params")] IReadOnlyDictionary<string, long> CgmParams,
    [property: JsonPropertyName("params_total")] long ParamsTotal)
{

    /// <summary>
    /// Summarises a configuration. Per-depth figures use the depth's own 1x1 head, so they are the same with or
    /// without deep supervision; <see cref="ParamsTotal"/> is the configured network (all its heads and CGMs).
    /// </summary>
    public static ModelSummary Of(NetworkConfig config, IReadOnlyList<long> size)
    {
        config.ValidateInputSize(size);
        using var configured = new SegmentationNetwork(config);
        using var pruneable = config.DeepSupervision ? null : new SegmentationNetwork(config with { DeepSupervision = true });
        var net = pruneable ?? configured;
        var costs = NetworkCost.PerDepth(net, size);
        return new ModelSummary(
            net.Topology.Name, config.Dimensions, config.InChannels, config.Classes, config.Depth, config.Widths.ToArray(),
            config.DeepSupervision, config.Cgm, size.ToArray(),
            costs.ToDictionary(c => $"L{c.Depth}", c => c.Parameters),
            costs.ToDictionary(c => $"L{c.Depth}", c => Math.Round(c.Flops / 1e9, 4)),
            costs.ToDictionary(c => $"L{c.Depth}", c => c.Nodes),
            costs.ToDictionary(c => $"L{c.Depth}", c => c.CgmParameters),
            NetworkCost.TotalParameters(configured));
    }

    public string ToJson() => ProjectJson.Serialize(this);
}
