using UNetSharp.Data.Layouts;
using UNetSharp.Data.Preprocessing;
using UNetSharp.Planning;
using Xunit.Abstractions;

namespace UNetSharp.Tests.Clinical;

/// <summary>The shared BraTS subset (2 channels, nnU-Net v2 naming): read as two-channel cases; the planner sees that the
/// channels are already z-scored inside the brain and plans no normalisation (nnU-Net's noNorm).</summary>
public class BratsDataTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void CasesHaveTwoChannelsAndThePlannerChoosesNoNormalisation()
    {
        string root = SharedData.Require("brats2015-2ch");
        var data = MsdDataset.Open(root, LayoutOptions.Default);
        Assert.Equal(4, data.Count);
        var c = data.Load(0);
        Assert.Equal(2, c.Channels);
        for (int ch = 0; ch < 2; ch++)
        {
            var span = c.Image.AsSpan(ch * (c.Image.Length / c.Channels), c.Image.Length / c.Channels);
            float min = span.ToArray().Min();
            double sum = 0, sq = 0; long n = 0;
            foreach (float v in span) if (v > min) { sum += v; sq += (double)v * v; n++; }
            output.WriteLine($"channel {ch}: background {min}, {n} brain voxels of {span.Length}, mean {sum / n:F4}, sd {Math.Sqrt(sq / n - sum / n * sum / n):F4}");
        }
        Assert.True(ExperimentPlanner.AlreadyZScored([c], 0));
        Assert.True(ExperimentPlanner.AlreadyZScored([c], 1));
    }
}
