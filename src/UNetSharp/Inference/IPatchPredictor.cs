using UNetSharp.Models;
using static TorchSharp.torch;

namespace UNetSharp.Inference;

/// <summary>
/// What a model returns for one batch of patches: segmentation logits [N, C, spatial...] and, for a network with
/// CGMs, the presence logits [N, C] its depth gates with (null otherwise). Both float32 on the CPU, owned by the
/// caller's dispose scope.
/// </summary>
public sealed record PatchOutput(Tensor Logits, Tensor? PresenceLogits);

/// <summary>
/// The one thing sliding-window prediction, mirroring TTA, CGM gating and ensembling need from a model (as MONAI's
/// sliding window takes any predictor callable): logits for a batch of patches at a depth. TorchSharp implements it
/// in this library (<see cref="TorchPatchPredictor"/>); ONNX Runtime in UNetSharp.Onnx. Everything around it —
/// padding, tiles, Gaussian blending, mirroring, gating, label maps — is shared, so two engines that agree on logits
/// agree on masks.
/// </summary>
public interface IPatchPredictor : IDisposable
{
    /// <summary>The network this predictor runs: dimensions, input channels, classes, full depth, strides (whose
    /// <see cref="NetworkConfig.SizeMultiples"/> decide the padding of an image, the same for every engine).</summary>
    NetworkConfig Network { get; }

    /// <summary>Depths it can run (a TorchSharp network with deep supervision: 1..L; an exported model: its one depth).</summary>
    IReadOnlyList<int> Depths { get; }

    /// <summary>Short engine name for reports ("torchsharp", "onnxruntime", "onnxruntime-int8").</summary>
    string Engine { get; }

    /// <summary>The only spatial input size the model takes (an export with a fixed size), else null (any multiple of
    /// the size multiples).</summary>
    IReadOnlyList<int>? FixedInputSize => null;

    /// <summary>Logits for <paramref name="patches"/> [N, in channels, spatial...] (float32, CPU) at <paramref name="depth"/>,
    /// in evaluation mode, without gradients.</summary>
    PatchOutput Run(Tensor patches, int depth);
}

/// <summary><see cref="IPatchPredictor"/> over a TorchSharp <see cref="SegmentationNetwork"/> (pruned forward, eval mode).</summary>
public sealed class TorchPatchPredictor : IPatchPredictor
{
    readonly SegmentationNetwork net;
    readonly bool ownsNetwork;

    /// <param name="ownsNetwork">Dispose the network with the predictor.</param>
    public TorchPatchPredictor(SegmentationNetwork network, bool ownsNetwork = false)
    {
        net = network;
        this.ownsNetwork = ownsNetwork;
        net.eval();
    }

    public NetworkConfig Network => net.Config;
    public IReadOnlyList<int> Depths => net.PrunableDepths;
    public string Engine => "torchsharp";

    public PatchOutput Run(Tensor patches, int depth)
    {
        net.eval();   // again: the caller may have switched the network back to training since construction
        using var noGrad = no_grad();
        var output = net.Forward(patches, depth);
        return new PatchOutput(output.Logits, output.GatingPresenceLogits);
    }

    public void Dispose()
    {
        if (ownsNetwork) net.Dispose();
    }
}
