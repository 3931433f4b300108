namespace UNetSharp.Inference;

/// <summary>
/// The result of predicting one image, at its original size. <see cref="Labels"/> is the class per voxel
/// (argmax for multi-class, p ≥ 0.5 for binary), C-order [(D,) H, W], bytes to keep CT-size volumes small.
/// </summary>
public sealed class SegmentationPrediction
{
    public SegmentationPrediction(int[] shape, int classes, int depth, int tiles, byte[] labels, float[]? probabilities, float[]? presence)
    {
        Shape = shape; Classes = classes; Depth = depth; Tiles = tiles; Labels = labels; Probabilities = probabilities; Presence = presence;
    }

    /// <summary>Spatial shape, as the input's.</summary>
    public int[] Shape { get; }

    /// <summary>Network output channels (1 = binary).</summary>
    public int Classes { get; }

    /// <summary>The depth l that was run.</summary>
    public int Depth { get; }

    /// <summary>Tile positions evaluated (each once per mirror combination).</summary>
    public int Tiles { get; }

    /// <summary>Class per voxel (0 = background), [(D,) H, W].</summary>
    public byte[] Labels { get; }

    /// <summary>Gated, blended probabilities [C, (D,) H, W] when requested, else null.</summary>
    public float[]? Probabilities { get; }

    /// <summary>Image-level CGM presence probability per class (max over tiles, mirror-averaged); null without CGMs.</summary>
    public float[]? Presence { get; }

    /// <summary>The labels as int, the element type of <see cref="Data.SegmentationCase.Label"/>.</summary>
    public int[] LabelsAsInt() => Array.ConvertAll(Labels, b => (int)b);
}
