using UNetSharp.Data;
using UNetSharp.Data.Preprocessing;

namespace UNetSharp.Tests.Data.Preprocessing;

public class NormalizationTests
{
    [Fact]
    public void Ct_window_clips_then_zscores_with_given_statistics()
    {
        float[] hu = [-1000, -100, 50, 200, 3000];
        new CtNormalization(-100, 200, mean: 50, std: 100).Apply(hu);
        Assert.Equal([-1.5f, -1.5f, 0f, 1.5f, 1.5f], hu);
    }

    [Fact]
    public void Ct_window_without_statistics_uses_the_clipped_values()
    {
        float[] hu = [-1000, 0, 1000, 5000];   // clipped to [-500, 500]: -500, 0, 500, 500
        new CtNormalization(-500, 500).Apply(hu);
        // mean 125, population std sqrt(((-625)^2 + 125^2 + 375^2 * 2) / 4) = 414.58
        Assert.Equal(-625 / 414.578, hu[0], 3);
        Assert.Equal(375 / 414.578, hu[3], 3);
    }

    [Fact]
    public void Ct_window_from_foreground_percentiles()
    {
        var fg = Enumerable.Range(0, 1001).Select(i => (float)i).ToArray();
        var ct = CtNormalization.FromForeground(fg);
        Assert.Equal(5f, ct.Lower, 3);      // 0.5th percentile of 0..1000
        Assert.Equal(995f, ct.Upper, 3);
        Assert.Equal(500.0, ct.Mean!.Value, 6);
        Assert.Equal(Math.Sqrt((1001.0 * 1001 - 1) / 12), ct.Std!.Value, 3);
        float[] values = [-50, 500, 2000];
        ct.Apply(values);
        Assert.Equal((5 - 500) / ct.Std.Value, values[0], 4);
        Assert.Equal(0, values[1], 6);
        Assert.Equal((995 - 500) / ct.Std.Value, values[2], 4);
    }

    [Fact]
    public void Foreground_values_come_from_the_label()
    {
        var c = new SegmentationCase("c", [1, 2, 3, 4, 10, 20, 30, 40], 2, [2, 2], [0, 1, 1, 0], [1, 1]);
        Assert.Equal([2f, 3f], IntensityStatistics.ForegroundValues(c, 0));
        Assert.Equal([20f, 30f], IntensityStatistics.ForegroundValues(c, 1));
    }

    [Fact]
    public void Mri_zscore_uses_only_nonzero_voxels_and_keeps_background_zero()
    {
        var random = new Random(1);
        var values = Enumerable.Range(0, 1000).Select(i => i % 3 == 0 ? 0f : (float)(100 + 30 * random.NextDouble())).ToArray();
        var mask = values.Select(v => v != 0).ToArray();
        new ZScoreNormalization().Apply(values);
        var (mean, std, n) = IntensityStatistics.MeanStd(values, mask);
        Assert.Equal(666, n);
        Assert.Equal(0, mean, 5);
        Assert.Equal(1, std, 5);
        Assert.All(values.Where((_, i) => !mask[i]), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Plain_zscore_uses_all_voxels()
    {
        float[] values = [0, 0, 2, 2];
        new ZScoreNormalization(withinNonZeroMask: false).Apply(values);
        Assert.Equal([-1f, -1f, 1f, 1f], values);
    }

    [Fact]
    public void Unit_range_by_type_max_or_min_max()
    {
        float[] eight = [0, 51, 255];
        new UnitRangeNormalization(255).Apply(eight);
        Assert.Equal([0f, 0.2f, 1f], eight);
        float[] any = [10, 15, 30];
        new UnitRangeNormalization().Apply(any);
        Assert.Equal([0f, 0.25f, 1f], any);
        float[] flat = [7, 7];
        new UnitRangeNormalization().Apply(flat);
        Assert.Equal([0f, 0f], flat);
    }

    [Fact]
    public void Case_normalizer_applies_per_channel_and_copies()
    {
        var c = new SegmentationCase("c", [0, 255, 0, 10], 2, [1, 2], null, [1, 1]);
        var n = CaseNormalizer.Normalize(c, [new UnitRangeNormalization(255), new UnitRangeNormalization()]);
        Assert.Equal([0f, 1f, 0f, 1f], n.Image);
        Assert.Equal([0f, 255f, 0f, 10f], c.Image);
        Assert.Throws<ConfigurationException>(() => CaseNormalizer.Normalize(c, [new ZScoreNormalization(), new ZScoreNormalization(), new ZScoreNormalization()]));
    }

    [Fact]
    public void Rgb_to_gray_uses_bt601_weights_or_keeps_channels()
    {
        // Two pixels: pure red, white; four channels (RGBA).
        var c = new SegmentationCase("rgb", [1, 1, 0, 1, 0, 1, 0.5f, 0.5f], 4, [1, 2], null, [1, 1]);
        var gray = ColorConversion.ToGray(c);
        Assert.Equal(1, gray.Channels);
        Assert.Equal(0.299f, gray.Image[0], 5);
        Assert.Equal(1f, gray.Image[1], 5);
        var rgb = ColorConversion.KeepRgb(c);
        Assert.Equal(3, rgb.Channels);
        Assert.Equal([1f, 1, 0, 1, 0, 1], rgb.Image);
    }
}
