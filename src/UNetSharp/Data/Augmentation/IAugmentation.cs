using static TorchSharp.torch;

namespace UNetSharp.Data.Augmentation;

/// <summary>
/// One random transform of a training sample: image [C, (D,) H, W] float32 and label [(D,) H, W] int64 (2D or
/// 3D). Spatial transforms move both identically; intensity transforms return the label as is. All randomness
/// comes from the <c>random</c> argument of <see cref="Apply"/> (torch noise from a generator seeded by it), so a seed reproduces the output.
/// Returns new tensors or the inputs themselves; <see cref="AugmentationPipeline"/> manages their lifetime.
/// </summary>
public interface IAugmentation
{
    (Tensor Image, Tensor Label) Apply(Tensor image, Tensor label, Random random);
}
