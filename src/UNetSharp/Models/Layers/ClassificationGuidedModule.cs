using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Models.Layers;

/// <summary>
/// Classification-guided module (UNet 3+, our design per docs/UNET-SHARP.md §3): Dropout → Conv1x1(→ classes) →
/// global max-pool, giving one presence logit per class, [N, C]. Trained with BCE on "mask has foreground";
/// at inference its probability gates the segmentation probabilities (see <see cref="Inference.CgmGate"/>).
/// </summary>
public sealed class ClassificationGuidedModule : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> dropout, conv;
    readonly SpatialOps ops;

    public ClassificationGuidedModule(SpatialOps ops, int channels, int classes, double dropoutRate, string name) : base(name)
    {
        this.ops = ops;
        dropout = nn.Dropout(dropoutRate);
        conv = ops.Conv(channels, classes, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor features) => ops.GlobalMax(conv.forward(dropout.forward(features)));
}
