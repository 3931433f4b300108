using UNetSharp.Evaluation;
using UNetSharp.IO;
using UNetSharp.Metrics;

namespace UNetSharp.Tests.Evaluation;

[Trait("Category", "Slow")]
public class FolderEvaluationSharedDataTests
{
    [SkippableFact]
    public void Isbi_labels_against_themselves_score_dice_1_and_hd95_0()
    {
        string labels = Path.Combine(SharedData.Require("isbi2012-em"), "labels");
        var result = FolderEvaluation.Run(labels, labels);

        Assert.True(result.Complete);
        Assert.Equal(24, result.Summary.CaseResults.Count);
        Assert.Equal([1], result.Labels); // 0/255 masks: 255 (cell interior) is class 1
        var c = Assert.Single(result.Summary.Classes);
        Assert.Equal(1.0, c.Dice);
        Assert.Equal(0.0, c.Hd95);
        Assert.Equal(0.0, c.Assd);
    }

    [SkippableFact]
    public void Isbi_labels_against_a_shifted_copy_match_the_metrics_library()
    {
        string labels = Path.Combine(SharedData.Require("isbi2012-em"), "labels");
        using var tmp = new EvalTempDir();
        string pred = tmp.Sub("pred"), refs = tmp.Sub("ref");
        var expected = new List<CaseEvaluation>();
        foreach (string file in Directory.GetFiles(labels, "*.png").Order(StringComparer.Ordinal).Take(3))
        {
            File.Copy(file, Path.Combine(refs, Path.GetFileName(file)));
            var (raw, shape, spacing) = ImageFile.ReadLabels(file);
            int h = shape[0], w = shape[1];
            var shifted = new int[raw.Length]; // 3 px right, the left columns background
            for (int y = 0; y < h; y++)
                for (int x = 3; x < w; x++) shifted[y * w + x] = raw[y * w + x - 3];
            EvalFiles.Png(pred, Path.GetFileName(file), shifted, h, w);
            expected.Add(CaseEvaluation.Evaluate(shifted.Select(v => v == 255 ? 1 : 0).ToArray(), raw.Select(v => v == 255 ? 1 : 0).ToArray(),
                shape, spacing, [1], ImageFile.Stem(file)));
        }

        var result = FolderEvaluation.Run(pred, refs);

        Assert.True(result.Complete);
        Assert.Equal(expected, result.Summary.CaseResults.Select(c => c with { }).ToList(), new CaseComparer());
        var c = Assert.Single(result.Summary.Classes);
        Assert.InRange(c.Dice, 0.5, 0.999);
        Assert.True(c.Hd95 > 0);
    }

    sealed class CaseComparer : IEqualityComparer<CaseEvaluation>
    {
        public bool Equals(CaseEvaluation? a, CaseEvaluation? b) => a!.CaseId == b!.CaseId && a.Classes.SequenceEqual(b.Classes);
        public int GetHashCode(CaseEvaluation c) => c.CaseId?.GetHashCode() ?? 0;
    }
}
