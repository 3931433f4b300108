using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Models.Layers;

/// <summary>Conv3x3 → Norm → ReLU; a UNet 3+ path convolution or fusion layer. Names: conv, bn.</summary>
public sealed class ConvNormRelu : nn.Module<Tensor, Tensor>, IFoldableNormalisation
{
    readonly nn.Module<Tensor, Tensor> conv, bn;

    public ConvNormRelu(SpatialOps ops, int input, int output) : base(nameof(ConvNormRelu))
    {
        conv = ops.Conv(input, output, 3);
        bn = ops.Normalisation(output);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => nn.functional.relu(Norm(conv.forward(x)), inplace: true);

    /// <summary>
    /// forward(resampling(source)) where backward recomputes the resampled input instead of keeping it
    /// (<see cref="ResampledConvolution"/>); the same values and gradients as the plain path.
    /// </summary>
    public Tensor Forward(Tensor source, Resampling resampling)
    {
        var (weight, bias) = SpatialOps.WeightAndBias(conv);
        return nn.functional.relu(Norm(ResampledConvolution.Apply(source, weight, bias, resampling)), inplace: true);
    }

    /// <inheritdoc/>
    public bool NormalisationFolded { get; set; }

    Tensor Norm(Tensor x) => NormalisationFolded ? x : SpatialOps.Normalise(bn, x);
}
