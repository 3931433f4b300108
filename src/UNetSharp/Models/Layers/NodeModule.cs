using TorchSharp;
using UNetSharp.Models.Topology;
using static TorchSharp.torch;

namespace UNetSharp.Models.Layers;

/// <summary>
/// The block of one node X^{i,j}: optional per-path convolutions (UNet 3+), concatenation along channels, then
/// H = Conv3x3 → Norm → ReLU → Conv3x3 → Norm → ReLU (or one Conv3x3 → Norm → ReLU for UNet 3+ fusion).
/// Parameter names follow pytorch-nested-unet's VGGBlock (conv1, bn1, conv2, bn2) so state dicts map to PyTorch.
/// </summary>
public sealed class NodeModule : nn.Module, IFoldableNormalisation
{
    readonly nn.Module<Tensor, Tensor> conv1, bn1;
    readonly nn.Module<Tensor, Tensor>? conv2, bn2;
    readonly ConvNormRelu?[] paths;
    readonly SpatialOps ops;

    public NodeModule(SpatialOps ops, NodeSpec spec, SkipTopology topology, int imageChannels) : base(spec.Id.ModuleName)
    {
        this.ops = ops;
        Spec = spec;
        InputChannels = topology.InputChannels(spec, imageChannels);
        paths = new ConvNormRelu?[spec.Inputs.Count];
        partChannels = new int[spec.Inputs.Count];
        for (int k = 0; k < spec.Inputs.Count; k++)
        {
            var input = spec.Inputs[k];
            int width = input.Source.IsInput ? imageChannels : topology.OutChannels(input.Source);
            partChannels[k] = input.PathChannels > 0 ? input.PathChannels : width;
            if (input.PathChannels <= 0) continue;
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

    readonly int[] partChannels;

    public NodeSpec Spec { get; }

    /// <summary>Width of the concatenation the first convolution reads.</summary>
    public int InputChannels { get; }

    /// <summary>Runs the block on its inputs, already resampled to this node's resolution, in <see cref="NodeSpec.Inputs"/> order.</summary>
    public Tensor Forward(IReadOnlyList<Tensor> resampled)
    {
        var parts = new Tensor[resampled.Count];
        for (int k = 0; k < parts.Length; k++) parts[k] = paths[k] is { } path ? path.forward(resampled[k]) : resampled[k];
        var x = parts.Length == 1 ? parts[0] : cat(parts, 1);
        x = nn.functional.relu(Norm(bn1, conv1.forward(x)), inplace: true);
        if (conv2 is null) return x;
        return nn.functional.relu(Norm(bn2!, conv2.forward(x)), inplace: true);
    }

    /// <summary>
    /// The same block from the un-resampled sources, for training with less memory (<see cref="NetworkConfig.MemoryEfficient"/>):
    /// the first convolution is split by input part, conv(cat(a, b)) = conv_a(a) + conv_b(b) (bias once), using slices
    /// of the one <c>conv1.weight</c> parameter. Consecutive parts already at this node's resolution are concatenated
    /// and convolved together; every resampled raw part goes through <see cref="ResampledConvolution"/>, so neither
    /// its resampled copy nor the full concatenation is kept for backward. UNet 3+ path convolutions recompute their
    /// resampled input the same way. Outputs and gradients equal <see cref="Forward(IReadOnlyList{Tensor})"/>'s up to float summation order.
    /// </summary>
    /// <param name="sources">The source nodes' features at their own levels, in <see cref="NodeSpec.Inputs"/> order.</param>
    /// <param name="resamplings">How each source reaches this node (null: already at this level).</param>
    public Tensor Forward(IReadOnlyList<Tensor> sources, IReadOnlyList<Resampling?> resamplings)
    {
        var (weight, bias) = SpatialOps.WeightAndBias(conv1);
        Tensor? sum = null;
        void Add(Tensor term)
        {
            if (sum is null) sum = term;
            else sum.add_(term);
        }
        var pending = new List<Tensor>();
        int pendingOffset = 0, offset = 0;
        void Flush()
        {
            if (pending.Count == 0) return;
            var x = pending.Count == 1 ? pending[0] : cat(pending, 1);
            int width = (int)x.shape[1];
            var w = width == weight.shape[1] ? weight : weight.narrow(1, pendingOffset, width);
            Add(ops.Convolve(x, w, sum is null ? bias : null));
            pending.Clear();
        }
        for (int k = 0; k < sources.Count; k++)
        {
            var r = resamplings[k];
            if (paths[k] is { } path) pending.Add(r is null ? path.forward(sources[k]) : path.Forward(sources[k], r));
            else if (r is null) pending.Add(sources[k]);
            else
            {
                Flush();
                Add(ResampledConvolution.Apply(sources[k], weight.narrow(1, offset, partChannels[k]), sum is null ? bias : null, r));
            }
            offset += partChannels[k];
            if (pending.Count == 0) pendingOffset = offset;
        }
        Flush();
        var h = nn.functional.relu(Norm(bn1, sum!), inplace: true);
        if (conv2 is null) return h;
        return nn.functional.relu(Norm(bn2!, conv2.forward(h)), inplace: true);
    }

    /// <inheritdoc/>
    public bool NormalisationFolded { get; set; }

    Tensor Norm(nn.Module<Tensor, Tensor> norm, Tensor x) => NormalisationFolded ? x : SpatialOps.Normalise(norm, x);
}
