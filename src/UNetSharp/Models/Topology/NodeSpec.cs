namespace UNetSharp.Models.Topology;

/// <summary>How a node fuses its concatenated inputs.</summary>
public enum NodeBlock
{
    /// <summary>H = Conv3x3 → Norm → ReLU → Conv3x3 → Norm → ReLU (UNet, UNet++, UNet#).</summary>
    DoubleConv,

    /// <summary>One Conv3x3 → Norm → ReLU over the concatenated paths (UNet 3+ decoder fusion).</summary>
    SingleConv,
}

/// <summary>
/// One incoming skip path. The resampling follows from the levels: a shallower source is max-pooled by
/// 2^(target − source), a deeper one up-sampled by 2^(source − target), the same level passes as is.
/// </summary>
/// <param name="Source">The node read.</param>
/// <param name="PathChannels">0: raw path at full width (UNet#, UNet++). &gt;0: Conv3x3 → Norm → ReLU to this width after resampling (UNet 3+).</param>
public sealed record SkipInput(NodeId Source, int PathChannels = 0);

/// <summary>A node, its inputs in concatenation order, its block and its output width.</summary>
public sealed record NodeSpec(NodeId Id, IReadOnlyList<SkipInput> Inputs, NodeBlock Block, int OutChannels);

/// <summary>A segmentation head on a node. Top-row heads are 1x1 (pruning outputs); side heads up-sample to full size.</summary>
/// <param name="Node">The node read.</param>
/// <param name="Kernel">Convolution kernel size (1 or 3).</param>
/// <param name="DeepSupervisionOnly">True for heads that exist only when deep supervision is on.</param>
public sealed record HeadSpec(NodeId Node, int Kernel, bool DeepSupervisionOnly)
{
    public HeadKind Kind => Node.Level == 0 ? HeadKind.TopRow : HeadKind.Side;
}
