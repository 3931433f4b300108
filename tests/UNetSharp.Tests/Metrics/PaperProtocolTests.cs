using UNetSharp.Metrics;

namespace UNetSharp.Tests.Metrics;

public sealed class PaperProtocolTests
{
    const double Smooth = 1e-5;

    [Fact]
    public void BatchIoUPoolsThePixelsOfAllImages()
    {
        // image 1: P = {0, 1}, G = {0}: intersection 1, union 2. image 2: P = {}, G = {3}: intersection 0, union 1.
        // pooled: (1 + 1e-5) / (3 + 1e-5) = 0.33334; our per-case mean IoU would be (1/2 + 0)/2 = 0.25.
        var batch = new[] { (new[] { 1, 1, 0, 0 }, new[] { 1, 0, 0, 0 }), (new[] { 0, 0, 0, 0 }, new[] { 0, 0, 0, 255 }) };
        Assert.Equal((1 + Smooth) / (3 + Smooth), PaperProtocol.BatchIoU(batch), 15);
        // an all-empty batch scores 1 (the smoothing term), where our per-case rule gives NaN and leaves it out
        Assert.Equal(1.0, PaperProtocol.BatchIoU([(new int[4], new int[4])]), 15);
    }

    [Fact]
    public void MeanOverBatchesKeepsTheLastPartialBatch()
    {
        var perfect = (new[] { 1, 0 }, new[] { 1, 0 });        // IoU 1
        var half = (new[] { 1, 1 }, new[] { 1, 0 });           // 1 of 2
        var miss = (new[] { 0, 0 }, new[] { 0, 1 });           // 0 of 1
        // batches of 2: [perfect, half] → (1 + 1)/(1 + 2) = 2/3; [miss] → 0/1. Mean (2/3 + 0)/2.
        double expected = ((2 + Smooth) / (3 + Smooth) + Smooth / (1 + Smooth)) / 2;
        Assert.Equal(expected, PaperProtocol.MeanBatchIoU([perfect, half, miss], batchSize: 2), 15);
    }

    [Fact]
    public void NearestResizePicksFloorOfTheScaledIndex()
    {
        // 4x4 → 2x2 takes rows/columns 0 and 2; 2x2 → 4x4 repeats each pixel twice in both directions
        int[] big = Enumerable.Range(0, 16).ToArray();
        Assert.Equal([0, 2, 8, 10], PaperProtocol.ResizeNearest(big, 4, 4, 2, 2));
        Assert.Equal([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], PaperProtocol.ResizeNearest([1, 2, 3, 4], 2, 2, 4, 4));
    }

    [Fact]
    public void ScoreResizesTo96BeforePooling()
    {
        // 192x192: the left half predicted, the top half referenced. At 96x96: P = 48 columns, G = 48 rows;
        // intersection 48·48 = 2304, union 3·2304 = 6912 → IoU 1/3 (up to the smoothing).
        var p = new int[192 * 192];
        var g = new int[192 * 192];
        for (int y = 0; y < 192; y++)
            for (int x = 0; x < 192; x++) { p[y * 192 + x] = x < 96 ? 1 : 0; g[y * 192 + x] = y < 96 ? 1 : 0; }
        Assert.Equal((2304 + Smooth) / (6912 + Smooth), PaperProtocol.Score([(p, g, 192, 192)]), 15);
    }
}
