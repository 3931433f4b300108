using static TorchSharp.torch;

namespace UNetSharp.Data.Sampling;

/// <summary>
/// One training batch: Image [N, C, (D,) H, W] float32 and Label [N, (D,) H, W] int64. The consumer owns the
/// tensors (they were made on a loader thread, outside any of the consumer's dispose scopes) and must dispose it.
/// </summary>
public sealed class Batch(Tensor image, Tensor label, LoaderPosition position, string[] caseIds) : IDisposable
{
    public Tensor Image { get; } = image;
    public Tensor Label { get; } = label;
    public LoaderPosition Position { get; } = position;
    public IReadOnlyList<string> CaseIds { get; } = caseIds;

    public void Dispose()
    {
        Image.Dispose();
        Label.Dispose();
    }
}
