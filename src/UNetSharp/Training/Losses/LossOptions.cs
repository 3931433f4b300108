using System.Text.Json.Serialization;

namespace UNetSharp.Training.Losses;

/// <summary>Which per-head segmentation loss to use.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LossKind>))]
public enum LossKind
{
    /// <summary>BCE-Dice for one class, CE-Dice for C ≥ 2.</summary>
    Auto,
    /// <summary>0.5·BCE + (1 − Dice), binary (the UNet# authors').</summary>
    BceDice,
    /// <summary>Focal + (1 − MS-SSIM) + IoU (UNet 3+).</summary>
    Hybrid,
    /// <summary>Softmax CE + soft Dice without background (nnU-Net), C ≥ 2.</summary>
    CeDice,
}

/// <summary>How the deep-supervision heads are combined.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeepSupervisionWeighting>))]
public enum DeepSupervisionWeighting
{
    /// <summary>Plain mean over all heads (UNet# authors' code).</summary>
    Mean,
    /// <summary>1/2^k by distance k from the main head, normalised to sum 1 (nnU-Net style); see <see cref="DeepSupervisionWeights"/>.</summary>
    Halving,
}

/// <summary>Loss settings, saved with the training configuration.</summary>
public sealed record LossOptions
{
    public LossKind Kind { get; init; } = LossKind.Auto;
    public DeepSupervisionWeighting Weighting { get; init; } = DeepSupervisionWeighting.Mean;

    /// <summary>λ of the CGM presence BCE terms (each CGM adds λ·BCE).</summary>
    public double CgmWeight { get; init; } = 1.0;

    /// <summary>CE-Dice: sum TP/FP/FN over the batch before the Dice ratio (nnU-Net batch Dice).</summary>
    public bool BatchDice { get; init; }

    /// <summary>
    /// CE-Dice: per-class weights of the cross-entropy term, one per output class (class 0 first); null: all 1. Raises a
    /// thin rare class such as the instance border, which unweighted CE learns last (the DSB 2018 winners weighted it).
    /// </summary>
    public IReadOnlyList<double>? ClassWeights { get; init; }

    public double FocalAlpha { get; init; } = FocalLoss.DefaultAlpha;
    public double FocalGamma { get; init; } = FocalLoss.DefaultGamma;

    /// <summary>The per-head loss for a number of output classes; rejects combinations that cannot work.</summary>
    public IHeadLoss CreateHeadLoss(int classes) => (Kind, classes) switch
    {
        (LossKind.Auto, 1) or (LossKind.BceDice, 1) => new BceDiceHeadLoss(),
        (LossKind.Auto, _) or (LossKind.CeDice, >= 2) => new CeDiceLoss(BatchDice, CheckedClassWeights(classes)),
        (LossKind.Hybrid, _) => new HybridLoss(FocalAlpha, FocalGamma),
        (LossKind.BceDice, _) => throw new ConfigurationException($"loss bce-dice is binary but the network has {classes} classes; use ce-dice or hybrid"),
        _ => throw new ConfigurationException("loss ce-dice needs at least 2 classes (class 0 = background); use bce-dice or hybrid for binary"),
    };

    // Value equality including the weight list (a record compares lists by reference): a resumed run reads its loss
    // settings back from the checkpoint and must find them equal to the run's. Comparing the JSON form keeps this right
    // when a setting is added.
    public bool Equals(LossOptions? other) =>
        other is not null && UNetSharp.IO.ProjectJson.Serialize(this) == UNetSharp.IO.ProjectJson.Serialize(other);

    public override int GetHashCode() => UNetSharp.IO.ProjectJson.Serialize(this).GetHashCode(StringComparison.Ordinal);

    double[]? CheckedClassWeights(int classes)
    {
        if (ClassWeights is null) return null;
        if (ClassWeights.Count != classes)
            throw new ConfigurationException($"class weights: {ClassWeights.Count} given for a network with {classes} output classes (one per class, class 0 first)");
        if (ClassWeights.Any(w => !(w > 0) || !double.IsFinite(w)))
            throw new ConfigurationException($"class weights must be positive finite numbers, got {string.Join(",", ClassWeights)}");
        return ClassWeights.ToArray();
    }
}
