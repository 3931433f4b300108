using UNetSharp.Evaluation;
using UNetSharp.Metrics;

namespace UNetSharp.Tests.Clinical;

/// <summary>BraTS regions by hand: label maps to overlapping region masks, masks back to labels in the declared order,
/// and per-region Dice as `evaluate --regions` reports it.</summary>
public class LabelRegionsTests
{
    [Fact]
    public void BratsOutputLabelsAreTheInnermostOwnLabels()
    {
        Assert.Equal(new[] { 2, 1, 4 }, LabelRegions.Brats.OutputLabels);
        var parsed = LabelRegions.Parse("whole tumour=1,2,3,4; tumour core=1,3,4; enhancing tumour=4");
        Assert.Equal(LabelRegions.Brats.ToString(), parsed.ToString());
        Assert.Same(LabelRegions.Brats, LabelRegions.Parse("BraTS"));
    }

    [Fact]
    public void LabelsToRegionsAndBack()
    {
        int[] labels = [0, 1, 2, 3, 4, 2, 0];
        var r = LabelRegions.Brats;
        Assert.Equal(new[] { 0, 1, 1, 1, 1, 1, 0 }, r.Mask(labels, 0));
        Assert.Equal(new[] { 0, 1, 0, 1, 1, 0, 0 }, r.Mask(labels, 1));
        Assert.Equal(new[] { 0, 0, 0, 0, 1, 0, 0 }, r.Mask(labels, 2));
        // back: WT paints 2, TC paints 1 over it, ET paints 4 over that; non-enhancing (3) becomes core's 1
        var masks = Enumerable.Range(0, 3).Select(k => r.Mask(labels, k).Select(v => v == 1).ToArray()).ToList();
        Assert.Equal(new[] { 0, 1, 2, 1, 4, 2, 0 }, r.ToLabels(masks));
        // an enhancing voxel outside the predicted core and whole tumour still comes out enhancing (the last region wins)
        Assert.Equal(new[] { 4 }, r.ToLabels([[false], [false], [true]]));
    }

    [Fact]
    public void BadDeclarationsAreRefusedNamingTheRegion()
    {
        Assert.Contains("'x'", Assert.Throws<ConfigurationException>(() => LabelRegions.Parse("x=1,a")).Message);
        Assert.Contains("region 'b' lists label 0", Assert.Throws<ConfigurationException>(() => LabelRegions.Parse("b=0,1")).Message);
        // inner before outer: nothing of the inner region survives
        Assert.Contains("'inner'", Assert.Throws<ConfigurationException>(() => LabelRegions.Parse("inner=4;outer=1,4")).Message);
    }

    [Fact]
    public void RegionDiceByHand()
    {
        // reference: 2 voxels WT-only (edema), 2 core (1), 2 enhancing (4); prediction misses one enhancing voxel as edema
        int[] reference = [0, 0, 2, 2, 1, 1, 4, 4];
        int[] prediction = [0, 0, 2, 2, 1, 1, 4, 2];
        var e = FolderEvaluation.EvaluateRegions(LabelRegions.Brats, prediction, reference, [2, 4], [1.0, 1.0], "c", surfaceDistances: false);
        Assert.Equal(new[] { 1, 2, 3 }, e.Classes.Select(c => c.Label));
        Assert.Equal(1.0, e.Classes[0].Overlap.Dice, 9);             // WT: 6 vs 6
        Assert.Equal(2.0 * 3 / (3 + 4), e.Classes[1].Overlap.Dice, 9); // TC: pred {4,5,6}, ref {4,5,6,7}
        Assert.Equal(2.0 * 1 / (1 + 2), e.Classes[2].Overlap.Dice, 9); // ET: pred {6}, ref {6,7}
    }
}
