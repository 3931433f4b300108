namespace UNetSharp.Models.Layers;

/// <summary>
/// A block whose batch norms can be folded into its convolutions for inference (Inference.BatchNormFolding). Once
/// folded, the norm layers are skipped instead of run as identities; their buffers stay, so the state dict is unchanged.
/// </summary>
public interface IFoldableNormalisation
{
    /// <summary>True after folding: the block's norms are already inside its convolution weights.</summary>
    bool NormalisationFolded { get; set; }
}
