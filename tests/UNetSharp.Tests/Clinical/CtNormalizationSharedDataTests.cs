using UNetSharp.Data.Layouts;
using UNetSharp.Planning;
using Xunit.Abstractions;

namespace UNetSharp.Tests.Clinical;

/// <summary>nnU-Net's CT rule on the real spleen crop: the planner picks CT, clips to the 0.5 / 99.5 percentiles of the
/// foreground intensities and z-scores with the foreground's mean and sd, each checked against numbers computed here over
/// every foreground voxel (sorted foreground HU, linear-interpolated percentiles as numpy's default).</summary>
public class CtNormalizationSharedDataTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void SpleenCropIsPlannedWithForegroundPercentileWindowAndStatistics()
    {
        string root = SharedData.Require("msd-spleen-crop");
        var data = DatasetLayouts.Open(root, LayoutOptions.Default);
        var plan = ExperimentPlanner.Plan(data, new PlanOptions());
        var n = Assert.Single(plan.Normalization);
        Assert.Equal(NormalizationKind.Ct, n.Kind);

        var c = data.Load(0);
        var fg = c.Image.Where((v, i) => c.Label![i] > 0).ToArray();
        Array.Sort(fg);
        double Percentile(double p) { double r = p / 100 * (fg.Length - 1); int lo = (int)r, hi = Math.Min(lo + 1, fg.Length - 1); return fg[lo] + (r - lo) * (fg[hi] - (double)fg[lo]); }
        double mean = fg.Average(v => (double)v), sd = Math.Sqrt(fg.Average(v => ((double)v - mean) * ((double)v - mean)));
        output.WriteLine($"{fg.Length} foreground voxels; window [{Percentile(0.5):F2}, {Percentile(99.5):F2}] HU, mean {mean:F2}, sd {sd:F2}; plan [{n.Lower}, {n.Upper}], {n.Mean:F2}, {n.Std:F2}");
        // the planner samples every k-th foreground voxel (about 20000, as nnU-Net samples 10000 per case): the window
        // within 1 HU of the exact percentiles, mean and sd within 0.5 HU
        Assert.InRange(n.Lower, Percentile(0.5) - 1, Percentile(0.5) + 1);
        Assert.InRange(n.Upper, Percentile(99.5) - 1, Percentile(99.5) + 1);
        Assert.InRange(n.Mean, mean - 0.5, mean + 0.5);
        Assert.InRange(n.Std, sd - 0.5, sd + 0.5);

        // applied: a voxel far below the window lands on the clipped, standardised lower bound
        var normalized = NormalizationScheme.Apply(c, plan.Normalization);
        float min = normalized.Image.Min();
        Assert.Equal((n.Lower - n.Mean) / n.Std, min, 3);
    }
}
