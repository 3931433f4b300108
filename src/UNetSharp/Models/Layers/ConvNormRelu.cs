using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Models.Layers;

/// <summary>Conv3x3 → Norm → ReLU; a UNet 3+ path convolution or fusion layer. Names: conv, bn.</summary>
public sealed class ConvNormRelu : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv, bn;

    public ConvNormRelu(SpatialOps ops, int input, int output) : base(nameof(ConvNormRelu))
    {
        conv = ops.Conv(input, output, 3);
        bn = ops.Normalisation(output);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => nn.functional.relu(bn.forward(conv.forward(x)), inplace: true);
}
