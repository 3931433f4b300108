using TorchSharp;
using UNetSharp.Models.Topology;
using static TorchSharp.torch;

namespace UNetSharp.Models.Layers;

/// <summary>A segmentation head: Conv(k x k, node width → classes), then up-sampling to full size for side heads.</summary>
public sealed class HeadModule : nn.Module<Tensor, long[], Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv;
    readonly SpatialOps ops;

    public HeadModule(SpatialOps ops, HeadSpec spec, int nodeChannels, int classes, string name) : base(name)
    {
        this.ops = ops;
        Spec = spec;
        conv = ops.Conv(nodeChannels, classes, spec.Kernel);
        RegisterComponents();
    }

    public HeadSpec Spec { get; }

    /// <summary>Overwrites the output bias (one value per class channel), e.g. with a class prior before training.</summary>
    public void SetBias(float[] values)
    {
        var bias = BiasParameter;
        if (bias.numel() != values.Length) throw new ArgumentException($"head {GetName()} has {bias.numel()} output channels, got {values.Length} bias values");
        using var _ = no_grad();
        using var source = tensor(values);
        bias.copy_(source);
    }

    /// <summary>The output bias, one value per class channel.</summary>
    public float[] Bias => BiasParameter.data<float>().ToArray();

    TorchSharp.Modules.Parameter BiasParameter => conv.named_parameters().Single(p => p.name == "bias").parameter;

    /// <summary>Logits of the node's features at full input resolution <paramref name="fullSize"/>.</summary>
    public override Tensor forward(Tensor features, long[] fullSize)
    {
        var logits = conv.forward(features);
        return Spec.Node.Level == 0 ? logits : ops.Resize(logits, fullSize);
    }
}
