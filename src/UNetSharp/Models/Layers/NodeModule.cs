using TorchSharp;
using UNetSharp.Models.Topology;
using static TorchSharp.torch;

namespace UNetSharp.Models.Layers;

/// <summary>
/// The block of one node X^{i,j}: optional per-path convolutions (UNet 3+), concatenation along channels, then
/// H = Conv3x3 → Norm → ReLU → Conv3x3 → Norm → ReLU (or one Conv3x3 → Norm → ReLU for UNet 3+ fusion).
/// Parameter names follow pytorch-nested-unet's VGGBlock (conv1, bn1, conv2, bn2) so state dicts map to PyTorch.
/// </summary>
public sealed class NodeModule : nn.Module
{
    readonly nn.Module<Tensor, Tensor> conv1, bn1;
    readonly nn.Module<Tensor, Tensor>? conv2, bn2;
    readonly ConvNormRelu?[] paths;

    public NodeModule(SpatialOps ops, NodeSpec spec, SkipTopology topology, int imageChannels) : base(spec.Id.ModuleName)
    {
        Spec = spec;
        InputChannels = topology.InputChannels(spec, imageChannels);
        paths = new ConvNormRelu?[spec.Inputs.Count];
        for (int k = 0; k < spec.Inputs.Count; k++)
        {
            var input = spec.Inputs[k];
            if (input.PathChannels <= 0) continue;
            int width = input.Source.IsInput ? imageChannels : topology.OutChannels(input.Source);
            paths[k] = new ConvNormRelu(ops, width, input.PathChannels);
            register_module($"path{k}", paths[k]!);
        }
        conv1 = ops.Conv(InputChannels, spec.OutChannels, 3);
        bn1 = ops.Normalisation(spec.OutChannels);
        if (spec.Block == NodeBlock.DoubleConv)
        {
            conv2 = ops.Conv(spec.OutChannels, spec.OutChannels, 3);
            bn2 = ops.Normalisation(spec.OutChannels);
        }
        RegisterComponents();
    }

    public NodeSpec Spec { get; }

    /// <summary>Width of the concatenation the first convolution reads.</summary>
    public int InputChannels { get; }

    /// <summary>Runs the block on its inputs, already resampled to this node's resolution, in <see cref="NodeSpec.Inputs"/> order.</summary>
    public Tensor Forward(IReadOnlyList<Tensor> resampled)
    {
        var parts = new Tensor[resampled.Count];
        for (int k = 0; k < parts.Length; k++) parts[k] = paths[k] is { } path ? path.forward(resampled[k]) : resampled[k];
        var x = parts.Length == 1 ? parts[0] : cat(parts, 1);
        x = nn.functional.relu(bn1.forward(conv1.forward(x)), inplace: true);
        if (conv2 is null) return x;
        return nn.functional.relu(bn2!.forward(conv2.forward(x)), inplace: true);
    }
}
