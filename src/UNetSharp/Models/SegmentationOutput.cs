using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Models;

/// <summary>Where a deep-supervision head sits: on the top row (X^{0,j}, 1x1 conv) or a side output (3x3 conv + up-sampling).</summary>
public enum HeadKind { TopRow, Side }

/// <summary>One deep-supervision output: logits at full input resolution, [N, C, (D,) H, W].</summary>
/// <param name="Name">Stable name such as "X0,4" (the node it reads), also used in weight names.</param>
/// <param name="Kind">Top-row or side head.</param>
/// <param name="Level">Row i of the node it reads.</param>
/// <param name="Column">Column j of the node it reads.</param>
/// <param name="Logits">Logits, same spatial size as the input.</param>
public sealed record SegmentationHead(string Name, HeadKind Kind, int Level, int Column, Tensor Logits);

/// <summary>
/// What a forward pass returns. Named members instead of a bare list whose order must be remembered.
/// <see cref="Logits"/> is the prediction at the depth that was run (X^{0,depth}'s head).
/// <see cref="Heads"/> holds every head that was computed (all 8 for a full UNet# with deep supervision),
/// for the deep-supervision loss. Presence logits come from the classification-guided modules, [N, C].
/// </summary>
public sealed class SegmentationOutput
{
    public SegmentationOutput(int depth, Tensor logits, IReadOnlyList<SegmentationHead> heads, Tensor? deepPresence, Tensor? shallowPresence)
    {
        Depth = depth;
        Logits = logits;
        Heads = heads;
        DeepPresenceLogits = deepPresence;
        ShallowPresenceLogits = shallowPresence;
    }

    /// <summary>The depth l that was run (1..L): only nodes X^{i,j} with i + j &lt;= l were computed.</summary>
    public int Depth { get; }

    /// <summary>Main prediction, logits [N, C, (D,) H, W].</summary>
    public Tensor Logits { get; }

    /// <summary>Every computed head (deep supervision), main head included.</summary>
    public IReadOnlyList<SegmentationHead> Heads { get; }

    /// <summary>CGM-deep presence logits on X^{L,0}, [N, C]; only when the full depth L was run with CGMs on.</summary>
    public Tensor? DeepPresenceLogits { get; }

    /// <summary>CGM-shallow presence logits on X^{1,0}, [N, C]; computed at every depth when CGMs are on.</summary>
    public Tensor? ShallowPresenceLogits { get; }

    /// <summary>The presence logits that gate this depth's prediction: deep at full depth, shallow when pruned.</summary>
    public Tensor? GatingPresenceLogits => DeepPresenceLogits ?? ShallowPresenceLogits;
}
