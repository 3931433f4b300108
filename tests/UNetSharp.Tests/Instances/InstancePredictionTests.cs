using UNetSharp.Prediction;
using UNetSharp.Instances;
using UNetSharp.IO;
using UNetSharp.Planning;
using UNetSharp.Tests.Inference.Jobs;

namespace UNetSharp.Tests.Instances;

/// <summary>The prediction job with an instance segmentation plan (tiny random three-class networks).</summary>
public sealed class InstancePredictionTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-instpred-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    string InstanceRun(int dims, IReadOnlyList<int> patch)
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: dims, classes: 3), patch);
        (ExperimentPlan.Load(run) with { Instances = new InstanceTargetSettings() }).Save(run);
        return run;
    }

    [Fact]
    public void A_volume_gets_a_uint16_instance_map_with_its_geometry_and_a_table_that_agrees_with_it()
    {
        string run = InstanceRun(3, [8, 16, 16]);
        string input = PredictionTestFiles.WriteOblique(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "v.nii.gz"));
        // Marker threshold 0 and min size 1: every foreground voxel is a marker candidate, so instances exist even from random weights.
        var report = PredictionJob.Run(new PredictionJobOptions
        {
            Model = run, Input = input, OutputDir = Dir("out"), InstanceTable = true, Overlays = true,
            InstanceDecoding = new InstanceDecodingOptions { MarkerThreshold = 0, MinSize = 1, MinMarkerSize = 1 },
        });

        var file = Assert.Single(report.Files);
        Assert.True(file.Succeeded, file.Error);
        var map = NiftiFile.Read(Path.Combine(Dir("out"), "v.nii.gz"));
        Assert.Equal(NiftiDataType.UInt16, map.DataType);
        var source = NiftiFile.ReadHeader(input);
        Assert.Equal(source.Dim.Take(4), map.Header.Dim.Take(4));
        Assert.Equal(source.SRowX, map.Header.SRowX);
        Assert.Equal(source.PixDim.Take(4), map.Header.PixDim.Take(4));

        var ids = ImageFile.ReadLabels(Path.Combine(Dir("out"), "v.nii.gz")).Labels;
        int count = ids.Max();
        Assert.Equal(count, file.Instances);
        Assert.Equal(Enumerable.Range(1, count), ids.Where(v => v != 0).Distinct().Order());
        var rows = File.ReadAllLines(Path.Combine(Dir("out"), "v_instances.csv"));
        Assert.StartsWith("id,voxels,volume,centroid_z,centroid_y,centroid_x", rows[0]);
        Assert.Equal(count, rows.Length - 1);
        // Each row's voxel count is the map's, and its volume is voxels × 0.7 × 0.9 × 3.0 mm³.
        foreach (string row in rows.Skip(1))
        {
            var cells = row.Split(',');
            int id = int.Parse(cells[0]);
            long voxels = ids.LongCount(v => v == id);
            Assert.Equal(voxels, long.Parse(cells[1]));
            Assert.Equal(voxels * 0.7 * 0.9 * 3.0, double.Parse(cells[2], System.Globalization.CultureInfo.InvariantCulture), 3);
        }
        Assert.True(File.Exists(Path.Combine(Dir("out"), PredictionOutputs.OverlayFolder, "v_overlay.png")));
    }

    [Fact]
    public void Watershed_and_components_decode_the_same_png_prediction_and_write_16_bit_maps()
    {
        string run = InstanceRun(2, [32, 32]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "p.png"), 40, 48);
        var decoding = new InstanceDecodingOptions { MarkerThreshold = 0, MinSize = 1, MinMarkerSize = 1 };
        PredictionJob.Run(new PredictionJobOptions { Model = run, Input = input, OutputDir = Dir("ws"), InstanceDecoding = decoding });
        PredictionJob.Run(new PredictionJobOptions { Model = run, Input = input, OutputDir = Dir("cc"), InstanceDecoding = decoding with { Method = InstanceDecoderKind.ConnectedComponents } });
        Assert.Equal(16, PngFile.Read(Path.Combine(Dir("ws"), "p.png")).BitDepth);
        var ws = ImageFile.ReadLabels(Path.Combine(Dir("ws"), "p.png")).Labels;
        var cc = ImageFile.ReadLabels(Path.Combine(Dir("cc"), "p.png")).Labels;
        // Same foreground (both decoders flood exactly the predicted foreground, holes filled alike only within one
        // instance, so the watershed's foreground may only be smaller where a hole borders two instances).
        for (int i = 0; i < ws.Length; i++) if (ws[i] != 0) Assert.NotEqual(0, cc[i]);
        // Every watershed instance lies inside one component: watershed only splits.
        foreach (var group in Enumerable.Range(0, ws.Length).Where(i => ws[i] != 0).GroupBy(i => ws[i]))
            Assert.Single(group.Select(i => cc[i]).Distinct());
    }

    [Fact]
    public void Instances_from_a_semantic_model_are_refused_before_anything_is_written()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2, classes: 1), [32, 32]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "p.png"), 32, 32);
        var e = Assert.Throws<ConfigurationException>(() => PredictionJob.Open(new PredictionJobOptions { Model = run, Input = input, OutputDir = Dir("out"), Instances = true }));
        Assert.Contains("semantic model", e.Message);
        Assert.False(Directory.Exists(Dir("out")));
    }

    [Fact]
    public void An_instance_plan_can_still_write_class_maps_when_instances_are_switched_off()
    {
        string run = InstanceRun(2, [32, 32]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "p.png"), 32, 32);
        var report = PredictionJob.Run(new PredictionJobOptions { Model = run, Input = input, OutputDir = Dir("out"), Instances = false });
        Assert.Null(Assert.Single(report.Files).Instances);
        Assert.All(ImageFile.ReadLabels(Path.Combine(Dir("out"), "p.png")).Labels, v => Assert.InRange(v, 0, 2));
    }
}
