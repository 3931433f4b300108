using TorchSharp;
using UNetSharp.Models;
using static TorchSharp.torch;

namespace UNetSharp.Training.Losses;

/// <summary>
/// The full training loss of a <see cref="SegmentationOutput"/>: the per-head loss on every deep-supervision head, combined
/// with <see cref="DeepSupervisionWeights"/>, plus λ·BCE(presence logits, "mask has class c") for each CGM that ran
/// (docs/UNET-SHARP.md §3–4). Labels are an int64 label map [N, (D,) H, W].
/// </summary>
public sealed class SegmentationLoss
{
    readonly IHeadLoss headLoss;

    public SegmentationLoss(LossOptions options, int classes)
    {
        Options = options;
        Classes = classes;
        headLoss = options.CreateHeadLoss(classes);
    }

    public LossOptions Options { get; }
    public int Classes { get; }

    /// <summary>Names of the logged parts, in a fixed order (head-loss parts, then "cgm" if the network has CGMs).</summary>
    public IReadOnlyList<string> PartNames(bool hasCgm) => hasCgm ? headLoss.PartNames.Append("cgm").ToList() : headLoss.PartNames;

    public LossResult Compute(SegmentationOutput output, Tensor labels)
    {
        if (labels.dtype != ScalarType.Int64) throw new ArgumentException($"labels must be an int64 label map, got {labels.dtype}", nameof(labels));
        if (labels.dim() != output.Logits.dim() - 1)
            throw new ArgumentException($"labels must be [N, spatial...] matching logits [{string.Join(", ", output.Logits.shape)}], got [{string.Join(", ", labels.shape)}]", nameof(labels));
        using var scope = NewDisposeScope();
        double[] weights = DeepSupervisionWeights.For(output.Heads, output.Depth, Options.Weighting);
        var parts = new Tensor[headLoss.PartNames.Count];
        for (int h = 0; h < output.Heads.Count; h++)
        {
            var headParts = headLoss.Parts(output.Heads[h].Logits, labels);
            for (int k = 0; k < parts.Length; k++)
                parts[k] = parts[k] is null ? weights[h] * headParts[k] : parts[k] + weights[h] * headParts[k];
        }
        var named = new Dictionary<string, double>();
        for (int k = 0; k < parts.Length; k++) named[headLoss.PartNames[k]] = parts[k].item<float>();
        var total = parts.Aggregate((a, b) => a + b);

        var presenceLogits = new[] { output.DeepPresenceLogits, output.ShallowPresenceLogits }.OfType<Tensor>().ToList();
        if (presenceLogits.Count > 0)
        {
            var present = LossTargets.Presence(labels, Classes);
            var cgm = presenceLogits.Select(p => nn.functional.binary_cross_entropy_with_logits(p, present)).Aggregate((a, b) => a + b) * Options.CgmWeight;
            named["cgm"] = cgm.item<float>();
            total = total + cgm;
        }
        return new LossResult(total.MoveToOuterDisposeScope(), named);
    }
}
