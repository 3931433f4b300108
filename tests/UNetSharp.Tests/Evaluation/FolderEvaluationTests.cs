using UNetSharp.IO;
using UNetSharp.Evaluation;
using UNetSharp.Metrics;

namespace UNetSharp.Tests.Evaluation;

public class FolderEvaluationTests
{
    static readonly int[] Shape3 = [10, 10, 10];
    static readonly double[] Spacing3 = [3.0, 1.0, 0.8f]; // z, y, x; NIfTI stores pixdim as float32

    [Fact]
    public void Cubes_offset_one_voxel_along_the_3mm_axis_score_as_computed_by_hand()
    {
        using var tmp = new EvalTempDir();
        string pred = tmp.Sub("pred"), refs = tmp.Sub("ref");
        var reference = EvalFiles.Box(Shape3, [2, 2, 2], [6, 6, 6]);
        var prediction = EvalFiles.Box(Shape3, [3, 2, 2], [7, 6, 6]);
        EvalFiles.Nifti(refs, "case1.nii.gz", reference, Shape3, Spacing3);
        EvalFiles.Nifti(pred, "case1.nii.gz", prediction, Shape3, Spacing3);

        var result = FolderEvaluation.Run(pred, refs);

        Assert.True(result.Complete);
        Assert.Equal([1], result.Labels);
        var c = Assert.Single(result.Summary.Classes);
        // 4x4x4 cubes sharing 3 of 4 slices: Dice 2·48/128, IoU 48/80.
        Assert.Equal(0.75, c.Dice, 12);
        Assert.Equal(0.6, c.IoU, 12);
        // 56 surface voxels per cube: 16 one slice (3 mm) away, 4 whose nearest surface is the in-plane ring (0.8 mm), 36 on it.
        Assert.Equal(3.0, c.Hd95, 12);
        Assert.Equal(2 * (16 * 3.0 + 4 * Spacing3[2]) / 112, c.Assd, 12);
        var direct = CaseEvaluation.Evaluate(prediction, reference, Shape3, Spacing3, [1]).Classes[0];
        Assert.Equal(direct, result.Summary.CaseResults[0].Classes[0]);
    }

    [Fact]
    public void Binary_255_png_prediction_is_scored_against_0_1_reference()
    {
        using var tmp = new EvalTempDir();
        string pred = tmp.Sub("pred"), refs = tmp.Sub("ref");
        int[] shape = [10, 10];
        EvalFiles.Png(refs, "a.png", EvalFiles.Box(shape, [2, 2], [6, 6]), 10, 10);
        EvalFiles.Png(pred, "a.png", EvalFiles.Box(shape, [2, 3], [6, 7], 255), 10, 10);

        var result = FolderEvaluation.Run(pred, refs);

        var c = Assert.Single(result.Summary.Classes);
        Assert.Equal(1, c.Label);
        Assert.Equal(0.75, c.Dice, 12); // 2·12 / 32
        Assert.Equal(1.0, c.Hd95, 12);
        Assert.Equal(0.5, c.Assd, 12);  // 6 of 12 surface pixels per square are 1 px off the other's surface
    }

    [Fact]
    public void Unmatched_and_mismatched_files_are_listed_and_not_scored()
    {
        using var tmp = new EvalTempDir();
        string pred = tmp.Sub("pred"), refs = tmp.Sub("ref");
        int[] square = EvalFiles.Box([8, 8], [2, 2], [6, 6]);
        EvalFiles.Png(pred, "a.png", square, 8, 8);
        EvalFiles.Png(refs, "a.png", square, 8, 8);
        EvalFiles.Png(pred, "only_pred.png", square, 8, 8);
        EvalFiles.Png(refs, "only_ref.png", square, 8, 8);
        EvalFiles.Png(pred, "b.png", square, 8, 8);
        EvalFiles.Png(refs, "b.png", EvalFiles.Box([8, 9], [2, 2], [6, 6]), 8, 9);
        var cube = EvalFiles.Box(Shape3, [2, 2, 2], [6, 6, 6]);
        EvalFiles.Nifti(pred, "c.nii.gz", cube, Shape3, [1, 1, 1]);
        EvalFiles.Nifti(refs, "c.nii.gz", cube, Shape3, Spacing3);

        var result = FolderEvaluation.Run(pred, refs);

        Assert.False(result.Complete);
        Assert.Equal(["only_pred.png"], result.UnmatchedPredictions);
        Assert.Equal(["only_ref.png"], result.UnmatchedReferences);
        Assert.Equal(["b", "c"], result.Mismatched.Select(m => m.Case));
        Assert.Contains("shape", result.Mismatched[0].Problem);
        Assert.Contains("spacing", result.Mismatched[1].Problem);
        Assert.Equal("a", Assert.Single(result.Summary.CaseResults).CaseId);
        string json = result.ToJson();
        Assert.Contains("\"unmatched_predictions\"", json);
        Assert.Contains("\"mismatched\"", json);
    }

    [Fact]
    public void Explicit_labels_score_each_class_of_a_multi_class_volume()
    {
        using var tmp = new EvalTempDir();
        string pred = tmp.Sub("pred"), refs = tmp.Sub("ref");
        var reference = EvalFiles.Box(Shape3, [5, 0, 0], [10, 10, 10], 2, EvalFiles.Box(Shape3, [0, 0, 0], [5, 10, 10], 1));
        var prediction = EvalFiles.Box(Shape3, [0, 0, 0], [10, 10, 10], 1);
        EvalFiles.Nifti(refs, "m.nii", reference, Shape3, Spacing3);
        EvalFiles.Nifti(pred, "m.nii", prediction, Shape3, Spacing3);

        var result = FolderEvaluation.Run(pred, refs, new FolderEvaluationOptions { Labels = [1, 2], SurfaceDistances = false });

        Assert.Equal([1, 2], result.Summary.Classes.Select(c => c.Label));
        Assert.Equal(2.0 * 500 / 1500, result.Summary.Classes[0].Dice, 12);
        Assert.Equal(0.0, result.Summary.Classes[1].Dice, 12);
        Assert.True(double.IsNaN(result.Summary.Classes[0].Hd95));
        Assert.Equal([1, 2], FolderEvaluation.Run(pred, refs).Labels); // default: every non-zero reference value
    }

    [Fact]
    public void Instance_maps_add_pq_aji_and_dsb_per_case()
    {
        using var tmp = new EvalTempDir();
        string pred = tmp.Sub("pred"), refs = tmp.Sub("ref");
        int[] shape = [12, 12];
        var reference = EvalFiles.Box(shape, [6, 6], [10, 10], 2, EvalFiles.Box(shape, [1, 1], [5, 5], 1));
        var prediction = EvalFiles.Box(shape, [6, 7], [10, 11], 9, EvalFiles.Box(shape, [1, 1], [5, 5], 4));
        EvalFiles.Png(refs, "n.png", reference, 12, 12);
        EvalFiles.Png(pred, "n.png", prediction, 12, 12);

        var result = FolderEvaluation.Run(pred, refs, new FolderEvaluationOptions { Instances = true });

        var expected = InstanceMetrics.Compute(prediction, reference, shape);
        var got = Assert.Single(result.Instances!);
        Assert.Equal(expected, got.Metrics);
        Assert.Equal(2, got.Metrics.TruePositives); // the shifted one still has IoU 12/20 > 0.5
        Assert.Equal([1], result.Labels);
        Assert.Equal(2.0 * 28 / 64, Assert.Single(result.Summary.Classes).Dice, 12); // foreground: 16+12 shared of 32+32
        Assert.Contains("\"instances\"", result.ToJson());
    }

    [Fact]
    public void A_binary_prediction_scored_as_instances_is_labelled_by_components_with_a_warning()
    {
        using var tmp = new EvalTempDir();
        string pred = tmp.Sub("pred"), refs = tmp.Sub("ref");
        int[] shape = [12, 12];
        var reference = EvalFiles.Box(shape, [6, 6], [10, 10], 2, EvalFiles.Box(shape, [1, 1], [5, 5], 1));
        // The same two boxes as a 0/255 mask: read as ids it would be one "instance" covering both nuclei.
        var mask = reference.Select(v => v != 0 ? 255 : 0).ToArray();
        EvalFiles.Png(refs, "n.png", reference, 12, 12);
        EvalFiles.Png(pred, "n.png", mask, 12, 12);

        var result = FolderEvaluation.Run(pred, refs, new FolderEvaluationOptions { Instances = true });

        var m = Assert.Single(result.Instances!).Metrics;
        Assert.Equal((2, 2, 0, 0), (m.PredictedInstances, m.TruePositives, m.FalsePositives, m.FalseNegatives));
        Assert.Equal(1.0, m.DsbScore, 12);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains(Path.Combine(pred, "n.png"), warning);
        Assert.Contains("binary mask", warning);
        Assert.Contains("binary mask", result.ToJson());
    }

    [Fact]
    public void Instances_can_be_scored_against_DSB_case_folders_directly()
    {
        using var tmp = new EvalTempDir();
        string pred = tmp.Sub("pred"), refs = tmp.Sub("dsb");
        // Two DSB cases, 4×6; only "x" is predicted (the set is a pool: "y" is not reported as unmatched).
        foreach (string id in new[] { "x", "y" })
        {
            PngFile.Write(Path.Combine(refs, id, "images", id + ".png"), new RasterImage(new float[24], 1, [4, 6], 8));
            PngFile.WriteLabels(Path.Combine(refs, id, "masks", "a.png"), Enumerable.Range(0, 24).Select(i => i % 6 < 2 ? 255 : 0).ToArray(), 4, 6);
            PngFile.WriteLabels(Path.Combine(refs, id, "masks", "b.png"), Enumerable.Range(0, 24).Select(i => i % 6 is 2 or 3 ? 255 : 0).ToArray(), 4, 6);
        }
        // Prediction: mask a found exactly (id 5), b merged with column 4 (id 6: IoU 8/12).
        EvalFiles.Png(pred, "x.png", Enumerable.Range(0, 24).Select(i => i % 6 < 2 ? 5 : i % 6 < 5 ? 6 : 0).ToArray(), 4, 6);

        var result = FolderEvaluation.Run(pred, refs, new FolderEvaluationOptions { Instances = true });

        var m = Assert.Single(result.Instances!).Metrics;
        Assert.Equal("x", result.Instances![0].Case);
        Assert.Equal((2, 2, 2, 0, 0), (m.PredictedInstances, m.ReferenceInstances, m.TruePositives, m.FalsePositives, m.FalseNegatives));
        Assert.Equal((1 + 8.0 / 12) / 2, m.SegmentationQuality, 12);
        Assert.True(result.Complete);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void A_corrupt_file_throws_naming_it()
    {
        using var tmp = new EvalTempDir();
        string pred = tmp.Sub("pred"), refs = tmp.Sub("ref");
        EvalFiles.Png(refs, "a.png", EvalFiles.Box([8, 8], [2, 2], [6, 6]), 8, 8);
        string bad = Path.Combine(pred, "a.png");
        File.WriteAllBytes(bad, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);

        var e = Assert.Throws<DataFormatException>(() => FolderEvaluation.Run(pred, refs));
        Assert.Equal(bad, e.Path);
    }

    [Fact]
    public void Output_folder_defaults_to_predictions_and_is_never_inside_references()
    {
        Assert.Equal(Path.GetFullPath("p"), FolderEvaluation.OutputDir(null, "p", "r"));
        Assert.Throws<ConfigurationException>(() => FolderEvaluation.OutputDir("r/out", "p", "r"));
        Assert.Throws<ConfigurationException>(() => FolderEvaluation.OutputDir(null, "r", "r/"));
        Assert.Equal(Path.GetFullPath("rr"), FolderEvaluation.OutputDir("rr", "p", "r"));
    }
}
